using System.Text.Json;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Tests.Shared;

namespace KefuSync.Integration.Tests.Protocol;

/// <summary>The vectors over a real WebSocket (Kestrel on loopback): one text message per frame.</summary>
internal sealed class WebSocketVectorConnection(KefuTestClient client) : IVectorConnection
{
    public int? CloseCode => (int?)client.CloseStatus;

    public static async Task<WebSocketVectorConnection> OpenAsync(KefuTestHost host, bool agent)
        => new(await host.ConnectAsync(agent: agent ? "alice" : null));

    public async Task<int> SendAsync(byte[] frame)
    {
        await client.SendBytesAsync(frame);
        return 0;
    }

    public Task<JsonElement?> ReceiveAsync(TimeSpan timeout) => client.ReceiveAsync(timeout);

    public ValueTask DisposeAsync() => client.DisposeAsync();
}
