using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace KefuSync.Security;

/// <summary>
/// Mints and verifies visitor tokens. A token is the visitor identity protected (authenticated encryption) by ASP.NET
/// Core Data Protection, so the browser can neither read nor forge it. Host ids are mapped to <c>h_</c> ids and minted
/// anonymous ids to <c>a_</c> ids, so a host id can never collide with an anonymous one.
/// </summary>
internal sealed class VisitorTokenService
{
    private const string Purpose = "KefuSync.VisitorToken.v1";
    private const int MaxFieldCount = 20;
    private const int MaxFieldChars = 200;
    private const int MaxNameChars = 80;

    private readonly IDataProtector _protector;
    private readonly IOptionsMonitor<KefuSyncOptions> _options;
    private readonly TimeProvider _time;

    public VisitorTokenService(IDataProtectionProvider provider, IOptionsMonitor<KefuSyncOptions> options, TimeProvider time)
    {
        _protector = provider.CreateProtector(Purpose);
        _options = options;
        _time = time;
    }

    /// <summary>Builds an identity from what a host passes (any of them may be null) and signs it.</summary>
    public (string Token, VisitorIdentity Identity) IssueForHost(string? hostVisitorId, string? name, IReadOnlyDictionary<string, string>? fields)
    {
        var id = string.IsNullOrWhiteSpace(hostVisitorId) ? NewAnonymousId() : "h_" + Clip(hostVisitorId.Trim(), 64);
        var cleanFields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (fields is not null)
        {
            foreach (var (key, value) in fields)
            {
                if (cleanFields.Count == MaxFieldCount)
                {
                    break;
                }

                if (!string.IsNullOrWhiteSpace(key))
                {
                    cleanFields[Clip(key.Trim(), 40)] = Clip(value ?? "", MaxFieldChars);
                }
            }
        }

        var generated = string.IsNullOrWhiteSpace(name);
        var identity = new VisitorIdentity(id, generated ? VisitorNames.Default(id) : Clip(name!.Trim(), MaxNameChars), cleanFields, _time.GetUtcNow().ToUnixTimeSeconds(), generated);
        return (Protect(identity), identity);
    }

    /// <summary>Mints a fresh anonymous visitor.</summary>
    public (string Token, VisitorIdentity Identity) IssueAnonymous()
    {
        var id = NewAnonymousId();
        var identity = new VisitorIdentity(id, VisitorNames.Default(id), new Dictionary<string, string>(StringComparer.Ordinal), _time.GetUtcNow().ToUnixTimeSeconds(), Generated: true);
        return (Protect(identity), identity);
    }

    /// <summary>Verifies a token. <see cref="TokenCheck.Forged"/> means tampered or signed by another key ring; expired tokens are reported separately.</summary>
    public TokenCheck Read(string token, out VisitorIdentity? identity)
    {
        identity = null;
        if (string.IsNullOrEmpty(token) || token.Length > 4096)
        {
            return TokenCheck.Forged;
        }

        try
        {
            var bytes = _protector.Unprotect(WebEncoders.Base64UrlDecode(token));
            identity = JsonSerializer.Deserialize(bytes, SecurityJsonContext.Default.VisitorIdentity);
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or JsonException)
        {
            return TokenCheck.Forged;
        }

        if (identity is null || string.IsNullOrEmpty(identity.Id))
        {
            identity = null;
            return TokenCheck.Forged;
        }

        if (identity.IsAnonymous && !identity.Generated)
        {
            // Tokens minted before the flag existed: an anonymous visitor's name is always the server's (nobody can name
            // one), so the fact is known from the id's kind. A host identity from then keeps its name as it is.
            identity = identity with { Generated = true };
        }

        var age = _time.GetUtcNow().ToUnixTimeSeconds() - identity.IssuedAt;
        return age > _options.CurrentValue.Identity.TokenLifetime.TotalSeconds ? TokenCheck.Expired : TokenCheck.Valid;
    }

    /// <summary>Re-signs an identity with a fresh issue time (sliding expiry for returning visitors).</summary>
    public string Refresh(VisitorIdentity identity) => Protect(identity with { IssuedAt = _time.GetUtcNow().ToUnixTimeSeconds() });

    private string Protect(VisitorIdentity identity)
        => WebEncoders.Base64UrlEncode(_protector.Protect(JsonSerializer.SerializeToUtf8Bytes(identity, SecurityJsonContext.Default.VisitorIdentity)));

    private static string NewAnonymousId() => "a_" + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(12));

    private static string Clip(string value, int max) => value.Length <= max ? value : value[..max];
}
