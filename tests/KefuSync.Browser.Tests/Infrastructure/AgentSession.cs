using System.Net.WebSockets;
using System.Text.Json;
using KefuSync.Tests.Shared;

namespace KefuSync.Browser.Tests.Infrastructure;

/// <summary>
/// An agent speaking the protocol over a real WebSocket (the tests' login header): online on <c>site</c>, and answers
/// visitors with real agent messages (role <c>agent</c>, as from the console).
/// </summary>
internal sealed class AgentSession : IAsyncDisposable
{
    private readonly KefuTestClient _client;
    private int _counter;

    private AgentSession(KefuTestClient client) => _client = client;

    public static async Task<AgentSession> ConnectAsync(SiteHost site, string agent = "alice", string name = "Alice")
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("X-Test-Agent", agent);
        socket.Options.SetRequestHeader("X-Test-Agent-Name", Uri.EscapeDataString(name));
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{site.Port}/kefu/ws"), CancellationToken.None);
        var session = new AgentSession(new KefuTestClient(socket));
        var welcome = await session._client.HelloAsync(agent: true);
        if (KefuTestClient.Type(welcome) != "welcome")
        {
            throw new InvalidOperationException("The agent was not welcomed: " + welcome);
        }

        // Online: present on `site`, so visitors see "online".
        await session._client.SendAsync(new { t = "presence", c = "a1", ch = "site", s = new { status = "online" } });
        return session;
    }

    /// <summary>Sends a chat message to a visitor's conversation and waits for its ack.</summary>
    public async Task SayAsync(string conv, string text)
    {
        var id = "a1-" + Interlocked.Increment(ref _counter);
        await _client.SendAsync(new { t = "submit", c = "a1", ch = "conv:" + conv, id, rev = 0, op = new { k = "msg", text } });
        var reply = await _client.WaitForAsync(f => KefuTestClient.Type(f) is "ack" or "error" && f.TryGetProperty("id", out var i) && i.GetString() == id);
        if (KefuTestClient.Type(reply) != "ack")
        {
            throw new InvalidOperationException("The agent's message was refused: " + reply);
        }
    }

    /// <summary>Sets the conversation's status (<c>open</c>, <c>pending</c>, <c>closed</c>), as the console's Close does, and waits for its ack.</summary>
    public async Task StatusAsync(string conv, string status)
    {
        var id = "a1-" + Interlocked.Increment(ref _counter);
        await _client.SendAsync(new { t = "submit", c = "a1", ch = "conv:" + conv, id, rev = 0, op = new { k = "status", status } });
        var reply = await _client.WaitForAsync(f => KefuTestClient.Type(f) is "ack" or "error" && f.TryGetProperty("id", out var i) && i.GetString() == id);
        if (KefuTestClient.Type(reply) != "ack")
        {
            throw new InvalidOperationException("The status was refused: " + reply);
        }
    }

    /// <summary>Sets the agent's "typing" presence on the conversation (the widget shows "Agent is typing…").</summary>
    public Task TypingAsync(string conv, bool typing) =>
        _client.SendAsync(new { t = "presence", c = "a1", ch = "conv:" + conv, s = new { typing } });

    /// <summary>Subscribes to the visitor's conversation from its start (the replay, then every new op).</summary>
    public Task SubscribeAsync(string conv) =>
        _client.SendAsync(new { t = "sub", c = "a1", ch = "conv:" + conv, rev = 0 });

    /// <summary>Waits until a chat message with <paramref name="text"/> arrives on the subscribed conversation; returns its author's id.</summary>
    public async Task<string> WaitForMessageAsync(string conv, string text)
    {
        var frame = await _client.WaitForAsync(f => KefuTestClient.Type(f) == "op"
            && f.GetProperty("ch").GetString() == "conv:" + conv
            && f.GetProperty("op").TryGetProperty("k", out var k) && k.GetString() == "msg"
            && f.GetProperty("op").TryGetProperty("text", out var t) && t.GetString() == text);
        return frame.GetProperty("by").GetString()!;
    }

    public ValueTask DisposeAsync() => _client.DisposeAsync();

    public override string ToString() => JsonSerializer.Serialize(_client.Welcome);
}
