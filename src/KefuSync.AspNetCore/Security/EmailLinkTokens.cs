using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace KefuSync.Security;

/// <summary>
/// The two tokens an email carries, each protected by ASP.NET Core Data Protection under its own purpose string, so one
/// can never be used as the other, nor as a visitor token (docs/security.md, "Email links"):
/// <list type="bullet">
/// <item>the magic link (<c>KefuSync.MagicLink.v1</c>, time-limited to <see cref="KefuEmailOptions.LinkLifetime"/>) names exactly one
/// visitor identity, and through it exactly one conversation: opening it signs that visitor in on any device;</item>
/// <item>the unsubscribe link (<c>KefuSync.Unsubscribe.v1</c>, valid for a year) names one conversation and can do nothing but
/// stop its follow-up emails.</item>
/// </list>
/// </summary>
internal sealed class EmailLinkTokens
{
    private const string MagicPurpose = "KefuSync.MagicLink.v1";
    private const string UnsubscribePurpose = "KefuSync.Unsubscribe.v1";
    private static readonly TimeSpan UnsubscribeLifetime = TimeSpan.FromDays(365);

    private readonly IDataProtector _magic;
    private readonly IDataProtector _unsubscribe;
    private readonly IOptionsMonitor<KefuSyncOptions> _options;
    private readonly TimeProvider _time;

    public EmailLinkTokens(IDataProtectionProvider provider, IOptionsMonitor<KefuSyncOptions> options, TimeProvider time)
    {
        _magic = provider.CreateProtector(MagicPurpose);
        _unsubscribe = provider.CreateProtector(UnsubscribePurpose);
        _options = options;
        _time = time;
    }

    /// <summary>A magic-link token for <paramref name="identity"/>, valid for <see cref="KefuEmailOptions.LinkLifetime"/> from now.</summary>
    public string IssueMagic(VisitorIdentity identity)
    {
        var expires = _time.GetUtcNow() + _options.CurrentValue.Email.LinkLifetime;
        var payload = JsonSerializer.SerializeToUtf8Bytes(identity, SecurityJsonContext.Default.VisitorIdentity);
        return Protect(_magic, payload, expires);
    }

    /// <summary>The identity a magic-link token grants, or null when it is forged, expired or another kind of token.</summary>
    public VisitorIdentity? ReadMagic(string? token)
    {
        var bytes = Unprotect(_magic, token);
        if (bytes is null)
        {
            return null;
        }

        try
        {
            var identity = JsonSerializer.Deserialize(bytes, SecurityJsonContext.Default.VisitorIdentity);
            return identity is { Id.Length: > 0 } ? identity : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>An unsubscribe token for the follow-ups of conversation <paramref name="conversationKey"/>.</summary>
    public string IssueUnsubscribe(string conversationKey)
        => Protect(_unsubscribe, System.Text.Encoding.UTF8.GetBytes(conversationKey), _time.GetUtcNow() + UnsubscribeLifetime);

    /// <summary>The conversation an unsubscribe token names, or null.</summary>
    public string? ReadUnsubscribe(string? token)
    {
        var bytes = Unprotect(_unsubscribe, token);
        return bytes is null ? null : System.Text.Encoding.UTF8.GetString(bytes);
    }

    /// <summary>
    /// The expiry travels inside the protected bytes (8 bytes of Unix ms, then the payload) and is checked against the
    /// <see cref="TimeProvider"/>, not the machine clock that <c>ITimeLimitedDataProtector</c> reads, so a fake clock ages a link.
    /// </summary>
    private static string Protect(IDataProtector protector, byte[] payload, DateTimeOffset expires)
    {
        var plain = new byte[8 + payload.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(plain, expires.ToUnixTimeMilliseconds());
        payload.CopyTo(plain, 8);
        return WebEncoders.Base64UrlEncode(protector.Protect(plain));
    }

    private byte[]? Unprotect(IDataProtector protector, string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 4096)
        {
            return null;
        }

        try
        {
            var plain = protector.Unprotect(WebEncoders.Base64UrlDecode(token));
            if (plain.Length < 8 || System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(plain) < _time.GetUtcNow().ToUnixTimeMilliseconds())
            {
                return null;
            }

            return plain[8..];
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            return null;
        }
    }
}
