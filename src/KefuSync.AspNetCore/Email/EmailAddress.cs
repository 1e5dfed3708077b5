using System.Net.Mail;

namespace KefuSync.Email;

/// <summary>
/// What KefuSync accepts as an email address: what a visitor types into the offline form, and the options' addresses.
/// Deliberately plain: one <c>local@domain</c> with a dotted domain, at most 254 characters, no display name, no
/// whitespace or control characters, so nothing a visitor types can add a header or a second recipient.
/// </summary>
internal static class EmailAddress
{
    public const int MaxLength = 254;

    public static bool IsValid(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength || value.Trim().Length != value.Length)
        {
            return false;
        }

        foreach (var ch in value)
        {
            if (char.IsControl(ch) || char.IsWhiteSpace(ch) || ch is '<' or '>' or ',' or ';' or '"' or '(' or ')' or '\\' or '[' or ']')
            {
                return false;
            }
        }

        var at = value.LastIndexOf('@');
        if (at < 1 || at > 64 || at == value.Length - 1 || value.IndexOf('@', StringComparison.Ordinal) != at)
        {
            return false;
        }

        var domain = value[(at + 1)..];
        if (!domain.Contains('.', StringComparison.Ordinal) || domain.StartsWith('.') || domain.EndsWith('.') || domain.Contains("..", StringComparison.Ordinal) || value[..at].EndsWith('.') || value.StartsWith('.'))
        {
            return false;
        }

        return MailAddress.TryCreate(value, out var parsed) && parsed.Address == value && string.IsNullOrEmpty(parsed.DisplayName);
    }

    /// <summary>Normalises an address for comparison: the domain is case-insensitive (the local part, strictly, is not).</summary>
    public static string Normalize(string address)
    {
        var at = address.LastIndexOf('@');
        return at < 0 ? address : address[..at] + address[at..].ToLowerInvariant();
    }

    /// <summary>Reads <c>address</c> or <c>Name &lt;address&gt;</c> (the <c>From</c> option).</summary>
    public static bool TryParseMailbox(string? value, out string name, out string address)
    {
        name = "";
        address = "";
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        var text = value.Trim();
        var open = text.LastIndexOf('<');
        if (open >= 0 && text.EndsWith('>'))
        {
            name = text[..open].Trim().Trim('"');
            address = text[(open + 1)..^1].Trim();
        }
        else
        {
            address = text;
        }

        return IsValid(address) && !name.AsSpan().ContainsAny("\r\n<>\"");
    }
}
