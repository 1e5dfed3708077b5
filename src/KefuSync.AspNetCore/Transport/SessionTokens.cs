using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;

namespace KefuSync.Transport;

/// <summary>
/// Fallback session ids as Data Protection tokens, so any node of a site can tell which node holds a session and whose it
/// is without a shared directory: the nodes share the key ring already for visitor tokens (PersistDataProtectionKeysToRedis,
/// docs/deployment.md). A token cannot be forged or altered into another session's or another user's.
/// </summary>
internal sealed class SessionTokens(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("KefuSync.FallbackSession.v1");

    public string Mint(SessionToken token)
    {
        // id and node are base64url, so the first two '|' split them off; the user (anything) is the rest, 'u'-prefixed
        // so that an empty user name and no user differ.
        var text = token.Id + "|" + token.Node + "|" + (token.User is null ? "" : "u" + token.User);
        return WebEncoders.Base64UrlEncode(_protector.Protect(Encoding.UTF8.GetBytes(text)));
    }

    public bool TryRead(string? value, out SessionToken token)
    {
        token = default;
        if (string.IsNullOrEmpty(value) || value.Length > 2048)
        {
            return false;
        }

        string text;
        try
        {
            text = Encoding.UTF8.GetString(_protector.Unprotect(WebEncoders.Base64UrlDecode(value)));
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            return false;
        }

        var first = text.IndexOf('|', StringComparison.Ordinal);
        var second = first < 0 ? -1 : text.IndexOf('|', first + 1);
        if (second < 0)
        {
            return false;
        }

        var user = text[(second + 1)..];
        token = new SessionToken(text[..first], text[(first + 1)..second], user.Length == 0 ? null : user[1..]);
        return true;
    }
}
