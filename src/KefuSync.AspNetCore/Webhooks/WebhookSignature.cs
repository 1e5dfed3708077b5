using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace KefuSync.Webhooks;

/// <summary>
/// Standard Webhooks signing (docs/webhooks.md §2): the HMAC-SHA256, keyed with the base64 part of the <c>whsec_</c>
/// secret, of <c>{webhook-id}.{webhook-timestamp}.{body}</c>, sent as <c>webhook-signature: v1,{base64}</c>. Written
/// here rather than taken from a package: it is a few lines, and the published test vector pins it.
/// </summary>
internal static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";

    /// <summary>The HMAC key of a <c>whsec_</c> secret, or null when it is not one (wrong prefix, not base64, under 24 or over 64 bytes).</summary>
    public static byte[]? TryDecodeSecret(string? secret)
    {
        if (secret is null || !secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var encoded = secret.AsSpan(SecretPrefix.Length);
        var buffer = new byte[(encoded.Length * 3 / 4) + 3];
        return Convert.TryFromBase64Chars(encoded, buffer, out var written) && written is >= 24 and <= 64 ? buffer[..written] : null;
    }

    /// <summary>The <c>webhook-signature</c> header value (one <c>v1</c> signature).</summary>
    public static string Sign(byte[] key, string id, long timestamp, ReadOnlySpan<byte> body)
        => Sign(key, id, timestamp.ToString(CultureInfo.InvariantCulture), body);

    // The timestamp is signed as the header carries it: a receiver must not reformat it.
    private static string Sign(byte[] key, string id, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(id + "." + timestamp + ".");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }

    /// <summary>
    /// What a receiver does: true when one of the space-separated <c>v1,</c> signatures of <paramref name="header"/> matches
    /// (compared in constant time) and <paramref name="timestamp"/> is within <paramref name="tolerance"/> of <paramref name="now"/>.
    /// </summary>
    public static bool Verify(byte[] key, string id, string timestamp, string header, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(now.ToUnixTimeSeconds() - seconds) > tolerance.TotalSeconds)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(key, id, timestamp, body));
        foreach (var candidate in header.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(candidate), expected))
            {
                return true;
            }
        }

        return false;
    }
}
