using System.Globalization;
using System.Text;

namespace KefuSync.Attachments;

/// <summary>
/// Cleans an uploaded file's name for display and for <c>Content-Disposition</c> (docs/protocol.md §9.1): the part after
/// the last slash or backslash, without control or format characters (a right-to-left override could show
/// <c>invoice‮fdp.exe</c> as <c>invoiceexe.pdf</c>), trimmed, at most 120 chars keeping the extension. The name never decides the type.
/// </summary>
internal static class FileNames
{
    public const int MaxInputChars = 1000;
    public const int MaxChars = 120;

    /// <summary>The cleaned name, or null when nothing printable is left (the upload is refused with <c>bad_request</c>).</summary>
    public static string? Clean(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxInputChars)
        {
            return null;
        }

        var cut = name.AsSpan().LastIndexOfAny('/', '\\');
        var last = cut < 0 ? name.AsSpan() : name.AsSpan(cut + 1);
        var builder = new StringBuilder(last.Length);
        foreach (var rune in last.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
                or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator)
            {
                continue;
            }

            builder.Append(rune.ToString());
        }

        var clean = builder.ToString().Trim().Trim('.').Trim();
        if (clean.Length == 0)
        {
            return null;
        }

        if (clean.Length <= MaxChars)
        {
            return clean;
        }

        // Keep the extension (up to 16 chars), shorten the stem; never split a surrogate pair.
        var dot = clean.LastIndexOf('.');
        var extension = dot > 0 && clean.Length - dot <= 16 ? clean[dot..] : "";
        var stemLength = MaxChars - extension.Length;
        if (char.IsHighSurrogate(clean[stemLength - 1]))
        {
            stemLength--;
        }

        return clean[..stemLength].TrimEnd() + extension;
    }
}
