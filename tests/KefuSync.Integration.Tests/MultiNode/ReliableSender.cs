using System.Text.Json;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Tests.Shared;

namespace KefuSync.Integration.Tests.MultiNode;

/// <summary>
/// What the widget's outbox does, for tests: keep resending a message with the same client op id until it is acked,
/// reconnecting (to whichever node is up) when the socket drops.
/// </summary>
internal sealed class ReliableSender(Func<Task<KefuTestHost>> pickHost, string token) : IAsyncDisposable
{
    private KefuTestClient? _socket;

    public async Task<long> SendAsync(string channel, string id, string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"'{id}' was never acknowledged.");
            }

            try
            {
                if (_socket is null || _socket.State != System.Net.WebSockets.WebSocketState.Open)
                {
                    if (_socket is not null)
                    {
                        await _socket.DisposeAsync();
                    }

                    _socket = await (await pickHost()).ConnectAsync();
                    var welcome = await _socket.HelloAsync(token);
                    if (KefuTestClient.Type(welcome) != "welcome")
                    {
                        throw new InvalidOperationException("hello refused: " + welcome.GetRawText());
                    }
                }

                await _socket.SendAsync(new { t = "submit", c = "s", ch = channel, id, rev = 0, op = new { k = "msg", text } });
                var reply = await _socket.WaitForAsync(f => (KefuTestClient.Type(f) == "ack" && f.GetProperty("id").GetString() == id) || (KefuTestClient.Type(f) == "error" && f.TryGetProperty("id", out var e) && e.GetString() == id), TimeSpan.FromSeconds(5));
                if (KefuTestClient.Type(reply) == "ack")
                {
                    return reply.GetProperty("rev").GetInt64();
                }

                Assert.True(reply.GetProperty("retry").GetBoolean(), "a non-retryable error for a valid message: " + reply.GetRawText());
            }
            catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or System.Net.WebSockets.WebSocketException or HttpRequestException or IOException)
            {
                // The node or the store is down: like the outbox, wait and try again with the same id.
                _socket = null;
            }

            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket is not null)
        {
            await _socket.DisposeAsync();
        }
    }
}
