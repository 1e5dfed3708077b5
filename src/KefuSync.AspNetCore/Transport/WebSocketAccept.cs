using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace KefuSync.Transport;

/// <summary>
/// Accepts a WebSocket (already checked by <c>IsWebSocketRequest</c>: GET, version 13, a valid key) so that the send
/// loop can batch its writes: on an HTTP/1.1 upgrade the handshake's answer is written here (RFC 6455 §4.2.2, as the
/// WebSocket middleware writes it) and the socket runs over a <see cref="TurnBatchingStream"/>. Anything else (HTTP/2's
/// extended CONNECT, TestHost's in-memory sockets) is accepted by the middleware, unbatched.
/// </summary>
internal static class WebSocketAccept
{
    // RFC 6455 §1.3: the GUID appended to the client's key
    private static readonly byte[] KeyGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"u8.ToArray();

    public static async Task<(WebSocket Socket, TurnBatchingStream? Batching)> AcceptAsync(HttpContext context, TimeSpan keepAlive)
    {
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        var key = context.Request.Headers.SecWebSocketKey.ToString();
        if (upgrade is not { IsUpgradableRequest: true } || !HttpProtocol.IsHttp11(context.Request.Protocol) || key.Length != 24)
        {
            var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { KeepAliveInterval = keepAlive }).ConfigureAwait(false);
            return (socket, null);
        }

        var headers = context.Response.Headers;
        headers.Connection = HeaderNames.Upgrade;
        headers.Upgrade = "websocket";
        headers.SecWebSocketAccept = AcceptFor(key);
        // a socket lives longer than any request timeout (the middleware does the same)
        context.Features.Get<Microsoft.AspNetCore.Http.Timeouts.IHttpRequestTimeoutFeature>()?.DisableTimeout();
        var stream = new TurnBatchingStream(await upgrade.UpgradeAsync().ConfigureAwait(false));
        return (WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = keepAlive }), stream);
    }

    /// <summary>Sec-WebSocket-Accept: base64 of SHA-1 over the key and the GUID.</summary>
    internal static string AcceptFor(string key)
    {
        Span<byte> input = stackalloc byte[24 + 36];
        var written = Encoding.ASCII.GetBytes(key, input);
        KeyGuid.CopyTo(input[written..]);
        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(input[..(written + KeyGuid.Length)], hash);
        return Convert.ToBase64String(hash);
    }
}
