using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using KefuSync.Integration.Tests.Infrastructure;

namespace KefuSync.Integration.Tests.Transport;

/// <summary>The SSE + POST fallback carries the same frames with the same semantics as the socket.</summary>
public sealed class FallbackTransportTests
{
    [Fact]
    public async Task SseAndPost_CarryAWholeConversation_WithIdempotentResend()
    {
        await using var host = await KefuTestHost.StartAsync(kestrel: true);
        using var http = host.CreateHttpClient();
        var connect = await http.PostAsync("/kefu/connect", new StringContent("{\"t\":\"hello\",\"v\":1,\"client\":\"test\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, connect.StatusCode);
        var body = JsonDocument.Parse(await connect.Content.ReadAsStringAsync()).RootElement;
        var session = body.GetProperty("session").GetString()!;
        var welcome = body.GetProperty("frames")[0];
        Assert.Equal("welcome", welcome.GetProperty("t").GetString());
        var ch = "conv:" + welcome.GetProperty("conv").GetString();

        using var events = new HttpClient { BaseAddress = host.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        using var stream = await events.GetStreamAsync($"/kefu/sse?session={session}");
        using var reader = new StreamReader(stream);

        var frames = new List<string>
        {
            $$$"""{"t":"sub","c":"x","ch":"{{{ch}}}","rev":0}""",
            $$$"""{"t":"submit","c":"x","ch":"{{{ch}}}","id":"x-1","rev":0,"op":{"k":"msg","text":"over SSE 你好"}}""",
            $$$"""{"t":"submit","c":"x","ch":"{{{ch}}}","id":"x-2","rev":0,"op":{"k":"msg","text":"second"}}""",
            $$$"""{"t":"submit","c":"x","ch":"{{{ch}}}","id":"x-1","rev":0,"op":{"k":"msg","text":"over SSE 你好"}}""",
        };
        var send = await http.PostAsync($"/kefu/send?session={session}", new StringContent("[" + string.Join(",", frames) + "]", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, send.StatusCode);

        var received = new List<JsonElement>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (received.Count(f => f.GetProperty("t").GetString() == "ack") < 3)
        {
            var line = await reader.ReadLineAsync(timeout.Token);
            if (line is not null && line.StartsWith("data: ", StringComparison.Ordinal))
            {
                received.Add(JsonDocument.Parse(line[6..]).RootElement.Clone());
            }
        }

        Assert.Equal([1L, 2], received.Where(f => f.GetProperty("t").GetString() == "op").Select(f => f.GetProperty("rev").GetInt64()));
        var acks = received.Where(f => f.GetProperty("t").GetString() == "ack").ToList();
        Assert.True(acks[2].GetProperty("dup").GetBoolean());
        Assert.Equal(2, (await host.Store.ReadAsync(ch, 0, 10)).Count);
    }

    /// <summary>Long polling on one node (docs/protocol.md §1.2.4): the same conversation, frames numbered, the cursor moves on.</summary>
    [Fact]
    public async Task LongPoll_CarriesAWholeConversation_WithNumberedFrames()
    {
        await using var host = await KefuTestHost.StartAsync(kestrel: true);
        using var node = new FallbackHttp(host.BaseAddress);
        var (session, welcome) = await node.ConnectAsync();
        var ch = "conv:" + welcome.GetProperty("conv").GetString();
        Assert.Equal(HttpStatusCode.Accepted, await node.SendAsync(
            session,
            $$$"""{"t":"sub","c":"x","ch":"{{{ch}}}","rev":0}""",
            $$$"""{"t":"submit","c":"x","ch":"{{{ch}}}","id":"x-1","rev":0,"op":{"k":"msg","text":"over long polling"}}"""));

        var received = new List<JsonElement>();
        long after = 0;
        while (received.Count(f => f.GetProperty("t").GetString() == "ack") < 1)
        {
            var poll = await node.PollAsync(session, after);
            Assert.Equal(HttpStatusCode.OK, poll.Status);
            Assert.Equal(after + poll.Frames.Count, poll.Seq);
            received.AddRange(poll.Frames);
            after = poll.Seq;
        }

        // presence frames (the visitor's own entry) may come in between
        var types = received.Select(f => f.GetProperty("t").GetString()).Where(t => t != "presence").ToList();
        Assert.Equal("subbed", types[0]);
        Assert.Equal(["ack", "op"], types.Skip(1).Order());
        Assert.Equal(HttpStatusCode.BadRequest, (await node.PollAsync(session, -1)).Status);
        using var mallory = new FallbackHttp(host.BaseAddress, "mallory");
        Assert.Equal(HttpStatusCode.NotFound, (await mallory.PollAsync(session, after)).Status);
    }

    [Fact]
    public async Task UnknownSession_Gets404_AndAForgedHelloGets400WithTheError()
    {
        await using var host = await KefuTestHost.StartAsync();
        using var http = host.CreateHttpClient();
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync("/kefu/send?session=nope", new StringContent("[]"))).StatusCode);
        var refused = await http.PostAsync("/kefu/connect", new StringContent("{\"t\":\"hello\",\"v\":1,\"token\":\"forged\"}"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var body = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("auth_failed", body.GetProperty("frames")[0].GetProperty("code").GetString());
    }

    /// <summary>
    /// A frame that ends the session (too large: 1009 on a socket) before the client's event stream is attached: the
    /// stream still delivers the error that explains the end, then ends, and the session is gone (docs/protocol.md §1).
    /// </summary>
    [Fact]
    public async Task SessionEndedBeforeItsStreamOpened_StillDeliversTheErrorThatEndedIt()
    {
        await using var host = await KefuTestHost.StartAsync(o => { o.Limits.MaxFrameBytes = 1024; o.Limits.MaxMessageChars = 300; }, kestrel: true);
        using var http = host.CreateHttpClient();
        var connect = await http.PostAsync("/kefu/connect", new StringContent("{\"t\":\"hello\",\"v\":1}", Encoding.UTF8, "application/json"));
        var session = JsonDocument.Parse(await connect.Content.ReadAsStringAsync()).RootElement.GetProperty("session").GetString()!;
        var huge = "[{\"t\":\"ping\",\"pad\":\"" + new string('x', 2000) + "\"}]";
        Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsync($"/kefu/send?session={session}", new StringContent(huge, Encoding.UTF8, "application/json"))).StatusCode);

        using var events = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(20) };
        var stream = await events.GetStringAsync($"/kefu/sse?session={session}"); // ends: the session is closed
        var frames = stream.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => JsonDocument.Parse(l[6..]).RootElement).ToList();
        Assert.Equal("too_large", Assert.Single(frames).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync($"/kefu/send?session={session}", new StringContent("[{\"t\":\"ping\"}]"))).StatusCode);
    }

    [Fact]
    public async Task CrossSiteConnect_IsRefused()
    {
        await using var host = await KefuTestHost.StartAsync();
        using var http = host.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/kefu/connect") { Content = new StringContent("{\"t\":\"hello\",\"v\":1}") };
        request.Headers.Add("Origin", "https://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task SessionId_UsedByAnotherHttpUser_IsRefusedAsUnknown_AndTheOwnerKeepsIt()
    {
        await using var host = await KefuTestHost.StartAsync(kestrel: true);
        using var http = host.CreateHttpClient();

        async Task<string> ConnectAsync(string hello, string? user, string? role = null)
        {
            using var request = Request(HttpMethod.Post, "/kefu/connect", user, role, hello);
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("session").GetString()!;
        }

        async Task<HttpStatusCode> SendAsync(string session, string? user, string? role = null)
        {
            using var request = Request(HttpMethod.Post, $"/kefu/send?session={session}", user, role, "[{\"t\":\"ping\",\"q\":\"p\"}]");
            using var response = await http.SendAsync(request);
            return response.StatusCode;
        }

        async Task<HttpStatusCode> EventsAsync(string session, string? user, string? role = null)
        {
            using var request = Request(HttpMethod.Get, $"/kefu/sse?session={session}", user, role, body: null);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            return response.StatusCode;
        }

        // An agent's session: another agent, a plain user and an anonymous request holding the id are all refused.
        var agent = await ConnectAsync("{\"t\":\"hello\",\"v\":1,\"client\":\"test\",\"agent\":true}", "alice", "agent");
        Assert.Equal(HttpStatusCode.NotFound, await SendAsync(agent, "bob", "agent"));
        Assert.Equal(HttpStatusCode.NotFound, await EventsAsync(agent, "bob", "agent"));
        Assert.Equal(HttpStatusCode.NotFound, await SendAsync(agent, "mallory"));
        Assert.Equal(HttpStatusCode.NotFound, await SendAsync(agent, user: null));
        Assert.Equal(HttpStatusCode.NotFound, await EventsAsync(agent, user: null));
        Assert.Equal(HttpStatusCode.Accepted, await SendAsync(agent, "alice", "agent"));

        // A signed-in visitor's session is bound to that user the same way.
        var carol = await ConnectAsync("{\"t\":\"hello\",\"v\":1,\"client\":\"test\"}", "carol");
        Assert.Equal(HttpStatusCode.NotFound, await SendAsync(carol, "mallory"));
        Assert.Equal(HttpStatusCode.NotFound, await SendAsync(carol, user: null));
        Assert.Equal(HttpStatusCode.Accepted, await SendAsync(carol, "carol"));

        // An anonymous visitor's session refuses a signed-in user (the spec: a user where connect had none).
        var anonymous = await ConnectAsync("{\"t\":\"hello\",\"v\":1,\"client\":\"test\"}", user: null);
        Assert.Equal(HttpStatusCode.NotFound, await SendAsync(anonymous, "mallory"));
        Assert.Equal(HttpStatusCode.NotFound, await EventsAsync(anonymous, "mallory"));
        Assert.Equal(HttpStatusCode.Accepted, await SendAsync(anonymous, user: null));
        Assert.Equal(HttpStatusCode.OK, await EventsAsync(anonymous, user: null));
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string? user, string? role, string? body)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (user is not null)
        {
            request.Headers.Add("X-Test-User", user);
        }

        if (role is not null)
        {
            request.Headers.Add("X-Test-Role", role);
        }

        return request;
    }
}
