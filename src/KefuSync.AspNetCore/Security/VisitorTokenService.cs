using System.Collections.Concurrent;
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

    /// <summary>How many verified tokens are remembered (then the memory starts over); see <see cref="Read"/>.</summary>
    internal const int VerifiedCapacity = 4096;

    /// <summary>How long a verification is reused before the key ring is asked again (a revoked key counts from then).</summary>
    internal static readonly TimeSpan VerifiedFor = TimeSpan.FromMinutes(5);

    /// <summary>Tokens longer than this are verified every time (bounds the memory to ~4 MB).</summary>
    private const int VerifiedMaxChars = 512;

    private readonly IDataProtector _protector;
    private readonly IOptionsMonitor<KefuSyncOptions> _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Verified> _verified = new(StringComparer.Ordinal);

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

        // A page's token comes back with every hello: each navigation, reload and reconnect of the visitor's leader tab.
        // Its authenticated decryption (AES-CBC + HMAC through the key ring) was the largest part of a hello's CPU
        // (docs/benchmarks.md, "Where the time goes"), so a token verified here in the last few minutes is not decrypted
        // again. Only the cryptographic check is reused: expiry is computed below on every read, a forged token is never
        // remembered, and a key revoked in the ring stops a remembered token within VerifiedFor.
        var now = _time.GetUtcNow();
        if (_verified.TryGetValue(token, out var known) && known.Until > now)
        {
            identity = known.Identity;
        }
        else
        {
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
                // Tokens minted before the flag existed: an anonymous visitor's name is always the server's (nobody can
                // name one), so the fact is known from the id's kind. A host identity from then keeps its name as it is.
                identity = identity with { Generated = true };
            }

            Remember(token, identity, now);
        }

        var age = now.ToUnixTimeSeconds() - identity.IssuedAt;
        return age > _options.CurrentValue.Identity.TokenLifetime.TotalSeconds ? TokenCheck.Expired : TokenCheck.Valid;
    }

    private void Remember(string token, VisitorIdentity identity, DateTimeOffset now)
    {
        if (token.Length > VerifiedMaxChars)
        {
            return;
        }

        // Bounded without bookkeeping per read: when full, start over (a flood of distinct tokens costs the flooder
        // decryptions, never memory). Count takes the dictionary's locks, but only here, on a miss, beside a decryption
        // that costs far more; racing adds may pass the bound by a few entries.
        if (_verified.Count >= VerifiedCapacity)
        {
            _verified.Clear();
        }

        _verified[token] = new Verified(identity, now + VerifiedFor);
    }

    /// <summary>Re-signs an identity with a fresh issue time (sliding expiry for returning visitors).</summary>
    public string Refresh(VisitorIdentity identity) => Protect(identity with { IssuedAt = _time.GetUtcNow().ToUnixTimeSeconds() });

    private string Protect(VisitorIdentity identity)
        => WebEncoders.Base64UrlEncode(_protector.Protect(JsonSerializer.SerializeToUtf8Bytes(identity, SecurityJsonContext.Default.VisitorIdentity)));

    private static string NewAnonymousId() => "a_" + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(12));

    private static string Clip(string value, int max) => value.Length <= max ? value : value[..max];

    private readonly record struct Verified(VisitorIdentity Identity, DateTimeOffset Until);
}
