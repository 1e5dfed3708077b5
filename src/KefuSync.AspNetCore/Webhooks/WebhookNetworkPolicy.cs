using System.Net;
using System.Net.Sockets;

namespace KefuSync.Webhooks;

/// <summary>
/// Where webhook requests may connect (docs/webhooks.md §6): by default only to public addresses, never to loopback,
/// private (RFC 1918, unique-local), link-local, shared (RFC 6598), multicast, unspecified or reserved ones, so a webhook
/// URL cannot reach the server's own network (SSRF). The check runs in the handler's <c>ConnectCallback</c>, on the
/// addresses the socket then connects to: a name that resolves to a public address when the URL is validated and to
/// 127.0.0.1 when the request is made (DNS rebinding) is still refused, and redirects are never followed.
/// </summary>
internal static class WebhookNetworkPolicy
{
    public const string ClientName = "KefuSync.Webhooks";

    public static SocketsHttpHandler CreateHandler(Func<bool> allowPrivateNetworks) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false, // a proxy would make the connect callback see the proxy, not the receiver
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectCallback = (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, allowPrivateNetworks(), cancellationToken),
    };

    public static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, bool allowPrivate, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(endpoint.Host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken).ConfigureAwait(false);
        var allowed = allowPrivate ? addresses : [.. addresses.Where(IsPublic)];
        if (allowed.Length == 0)
        {
            throw new WebhookAddressRefusedException(
                $"{endpoint.Host} resolves to {string.Join(", ", addresses.Select(a => a.ToString()))}, which is not a public address (KefuSync:Webhooks:AllowPrivateNetworks is false).");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, endpoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Whether <paramref name="address"/> is a public unicast address.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out _);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return !(b[0] is 0 or 10 or 127 or >= 224 // this network, private, loopback, multicast and reserved (240/4, broadcast)
                || (b[0] == 100 && (b[1] & 0xC0) == 64) // 100.64/10, shared address space
                || (b[0] == 169 && b[1] == 254) // link-local (cloud metadata services live here)
                || (b[0] == 172 && (b[1] & 0xF0) == 16)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 192 && b[1] == 0 && b[2] == 0) // IETF protocol assignments
                || (b[0] == 198 && (b[1] & 0xFE) == 18)); // benchmarking
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        return !(IPAddress.IPv6Loopback.Equals(address) || IPAddress.IPv6Any.Equals(address)
            || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal
            || (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B) // NAT64 64:ff9b::/96 could reach an IPv4 private range
            || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8)); // documentation
    }
}
