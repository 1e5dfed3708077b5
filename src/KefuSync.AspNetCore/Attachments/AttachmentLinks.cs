using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace KefuSync.Attachments;

/// <summary>
/// Signs and checks the short-lived file URLs of docs/protocol.md §9.5 (<c>?t=</c>), which let an <c>&lt;img&gt;</c> show a
/// visitor's file without a header. A token names one scope, attachment and variant and carries its expiry; it is
/// protected by ASP.NET Core Data Protection (authenticated encryption), so every node sharing the key ring accepts it and
/// nobody can forge or widen one.
/// </summary>
internal sealed class AttachmentLinks
{
    private const string Purpose = "KefuSync.AttachmentLink.v1";
    private readonly IDataProtector _protector;
    private readonly TimeProvider _time;
    private readonly IOptionsMonitor<KefuSyncOptions> _options;

    public AttachmentLinks(IDataProtectionProvider provider, TimeProvider time, IOptionsMonitor<KefuSyncOptions> options)
    {
        _protector = provider.CreateProtector(Purpose);
        _time = time;
        _options = options;
    }

    /// <summary>A token for one variant (<c>file</c> or <c>thumb</c>) and when it expires (Unix ms).</summary>
    public (string Token, long Expires) Sign(string scope, string id, string variant)
    {
        var expires = (_time.GetUtcNow() + _options.CurrentValue.Attachments.LinkLifetime).ToUnixTimeMilliseconds();
        var plain = Encoding.UTF8.GetBytes($"{scope}\n{id}\n{variant}\n{expires}");
        return (WebEncoders.Base64UrlEncode(_protector.Protect(plain)), expires);
    }

    /// <summary>Whether <paramref name="token"/> is a valid, unexpired token for exactly this scope, id and variant.</summary>
    public bool Check(string? token, string scope, string id, string variant)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 1024)
        {
            return false;
        }

        string plain;
        try
        {
            plain = Encoding.UTF8.GetString(_protector.Unprotect(WebEncoders.Base64UrlDecode(token)));
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            return false;
        }

        var parts = plain.Split('\n');
        return parts.Length == 4
            && parts[0] == scope && parts[1] == id && parts[2] == variant
            && long.TryParse(parts[3], out var expires)
            && _time.GetUtcNow().ToUnixTimeMilliseconds() < expires;
    }
}
