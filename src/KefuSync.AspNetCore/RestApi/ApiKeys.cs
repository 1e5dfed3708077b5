using System.Security.Cryptography;
using System.Text;
using KefuSync.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace KefuSync.RestApi;

/// <summary>Turns an <c>Authorization: Bearer KEY</c> header into the key's principal.</summary>
internal sealed class ApiKeys(IOptionsMonitor<KefuSyncOptions> options)
{
    public bool Enabled => options.CurrentValue.Api.Keys.Count > 0;

    /// <summary>The key's principal, or null for a missing, malformed or unknown key.</summary>
    public KefuPrincipal? Authenticate(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        // Hashing both sides gives equal lengths, so FixedTimeEquals compares in constant time and the length of a key
        // leaks nothing; every key is compared, so which one matched does not show in the time either.
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header[7..].Trim()));
        KefuApiKey? match = null;
        foreach (var key in options.CurrentValue.Api.Keys)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, SHA256.HashData(Encoding.UTF8.GetBytes(key.Key))))
            {
                match = key;
            }
        }

        if (match is null)
        {
            return null;
        }

        var role = match.Role == "agent" ? PrincipalRole.Agent : PrincipalRole.Bot;
        var name = string.IsNullOrWhiteSpace(match.DisplayName) ? match.Name : match.DisplayName.Trim();
        return new KefuPrincipal(match.Role + ":" + match.Name, name, role, ConversationKey: null, Visitor: null);
    }
}
