using System.Text.Json;

namespace KefuSync.Integration.Tests.Protocol;

/// <summary>One logical KefuSync connection as the protocol vectors drive it, over either transport.</summary>
internal interface IVectorConnection : IAsyncDisposable
{
    /// <summary>Sends one frame's bytes. Returns the HTTP status of the request that carried it (fallback), or 0 (WebSocket).</summary>
    Task<int> SendAsync(byte[] frame);

    /// <summary>The next server frame, or null once the connection has closed and every frame was taken.</summary>
    Task<JsonElement?> ReceiveAsync(TimeSpan timeout);

    /// <summary>The WebSocket close code once closed; null while open, and always null on the fallback (which carries none).</summary>
    int? CloseCode { get; }
}
