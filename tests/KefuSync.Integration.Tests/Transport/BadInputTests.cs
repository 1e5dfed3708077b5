using System.Net;
using System.Net.WebSockets;
using System.Text;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Tests.Shared;

namespace KefuSync.Integration.Tests.Transport;

public sealed class BadInputTests
{
    [Theory]
    [InlineData("not json", "bad_frame")]
    [InlineData("[1,2,3]", "bad_frame")]
    [InlineData("{\"no\":\"type\"}", "bad_frame")]
    [InlineData("{\"t\":42}", "bad_frame")]
    [InlineData("{\"t\":\"dance\"}", "unknown_type")]
    [InlineData("{\"t\":\"sub\",\"c\":\"x\",\"ch\":\"conv:../../etc\",\"rev\":0}", "invalid_channel")]
    [InlineData("{\"t\":\"sub\",\"c\":\"x\",\"ch\":\"nope:abc\",\"rev\":0}", "invalid_channel")]
    [InlineData("{\"t\":\"sub\",\"c\":\"bad client id!\",\"ch\":\"site\",\"rev\":0}", "bad_frame")]
    [InlineData("{\"t\":\"sub\",\"c\":\"x\",\"ch\":\"site\",\"rev\":\"zero\"}", "bad_frame")]
    [InlineData("{\"t\":\"submit\",\"c\":\"x\",\"ch\":\"site\",\"id\":\"x-1\",\"rev\":0,\"op\":[\"a\"]}", "forbidden")]
    [InlineData("{\"t\":\"presence\",\"c\":\"x\",\"ch\":\"site\",\"s\":[1]}", "bad_frame")]
    [InlineData("{\"t\":\"hello\",\"v\":1}", "bad_frame")]
    [InlineData("{\"t\":\"sub\",\"c\":\"x\",\"ch\":\"site\",\"rev\":99999999999999999999999}", "bad_frame")]
    [InlineData("{\"t\":\"sub\",\"c\":\"x\",\"ch\":\"site\",\"rev\":0,\"deep\":[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]}", "bad_frame")]
    public async Task MalformedFrame_GetsADocumentedError_AndTheConnectionStaysUsable(string frame, string code)
    {
        await using var host = await KefuTestHost.StartAsync();
        await using var client = await host.ConnectAsync();
        await client.HelloAsync();
        await client.SendAsync(frame);
        var error = await client.WaitForTypeAsync("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("msg").GetString()));

        await client.SendAsync("{\"t\":\"ping\",\"q\":\"p\"}");
        await client.WaitForTypeAsync("pong");
    }

    [Fact]
    public async Task FrameBeforeHello_IsNotReady_AndClosesWith4400()
    {
        await using var host = await KefuTestHost.StartAsync();
        await using var client = await host.ConnectAsync();
        await client.SendAsync("{\"t\":\"sub\",\"c\":\"x\",\"ch\":\"site\",\"rev\":0}");
        Assert.Equal("not_ready", (await client.WaitForTypeAsync("error")).GetProperty("code").GetString());
        Assert.Equal(4400, (int?)await client.WaitForCloseAsync());
    }

    [Fact]
    public async Task NoHelloInTime_AndLaterSilence_CloseWith4408()
    {
        var time = new ManualTimeProvider();
        await using var host = await KefuTestHost.StartAsync(o => o.Limits.IdleTimeoutSeconds = 30, time: time);
        await using var mute = await host.ConnectAsync();
        await using var quiet = await host.ConnectAsync();
        await quiet.HelloAsync();
        for (var second = 0; second < 12; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }

        Assert.Equal(4408, (int?)await mute.WaitForCloseAsync());
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, quiet.State);
        for (var second = 0; second < 25; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }

        Assert.Equal(4408, (int?)await quiet.WaitForCloseAsync());
    }

    [Fact]
    public async Task UnsupportedProtocolVersion_ClosesWith4400()
    {
        await using var host = await KefuTestHost.StartAsync();
        await using var client = await host.ConnectAsync();
        await client.SendAsync("{\"t\":\"hello\",\"v\":2}");
        Assert.Equal("unsupported_version", (await client.WaitForTypeAsync("error")).GetProperty("code").GetString());
        Assert.Equal(4400, (int?)await client.WaitForCloseAsync());
    }

    [Fact]
    public async Task OversizedFrame_IsRefusedWithTooLarge_AndClose1009()
    {
        await using var host = await KefuTestHost.StartAsync(o => o.Limits.MaxFrameBytes = 16 * 1024, kestrel: true);
        await using var client = await host.ConnectAsync();
        var conv = (await client.HelloAsync()).GetProperty("conv").GetString();
        var huge = new string('x', 20_000);
        await client.SendAsync("{\"t\":\"submit\",\"c\":\"x\",\"ch\":\"conv:" + conv + "\",\"id\":\"x-1\",\"rev\":0,\"op\":{\"k\":\"msg\",\"text\":\"" + huge + "\"}}");
        Assert.Equal("too_large", (await client.WaitForTypeAsync("error")).GetProperty("code").GetString());
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await client.WaitForCloseAsync());
        Assert.Empty(await host.Store.ReadAsync("conv:" + conv, 0, 10));
    }

    [Fact]
    public async Task MessageLongerThanTheLimit_IsInvalid()
    {
        await using var host = await KefuTestHost.StartAsync(o => o.Limits.MaxMessageChars = 100);
        await using var client = await host.ConnectAsync();
        var conv = (await client.HelloAsync()).GetProperty("conv").GetString();
        await client.SendAsync(new { t = "submit", c = "x", ch = "conv:" + conv, id = "x-1", rev = 0, op = new { k = "msg", text = new string('y', 101) } });
        Assert.Equal("invalid_op", (await client.WaitForTypeAsync("error")).GetProperty("code").GetString());
    }

    [Fact]
    public async Task TooFrequentFrames_AreRateLimited_ThenAFloodIsClosedWith4429()
    {
        await using var host = await KefuTestHost.StartAsync(o =>
        {
            o.Limits.FramesPerSecond = 1;
            o.Limits.FrameBurst = 5;
            o.Limits.FloodCloseAfter = 20;
        });
        await using var client = await host.ConnectAsync();
        await client.HelloAsync();
        for (var i = 0; i < 40; i++)
        {
            await client.SendAsync("{\"t\":\"ping\"}");
        }

        var limited = await client.WaitForAsync(f => KefuTestClient.Type(f) == "error");
        Assert.Equal("rate_limited", limited.GetProperty("code").GetString());
        Assert.True(limited.GetProperty("retry").GetBoolean());
        Assert.Equal(4429, (int?)await client.WaitForCloseAsync());
    }

    [Fact]
    public async Task CrossSiteOrigin_IsRefusedAtTheHandshake_AndAllowedOriginsAreAccepted()
    {
        await using var host = await KefuTestHost.StartAsync(o => o.AllowedOrigins.Add("https://partner.example"), kestrel: true);
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => host.ConnectAsync(agent: "alice", origin: "https://evil.example"));
        Assert.Contains("403", refused.Message + refused.InnerException?.Message);
        Assert.Equal(0, host.Connections.Count);

        await using var partner = await host.ConnectAsync(origin: "https://partner.example");
        Assert.Equal("welcome", KefuTestClient.Type(await partner.HelloAsync()));
        await using var same = await host.ConnectAsync(origin: host.BaseAddress.GetLeftPart(UriPartial.Authority));
        Assert.Equal("welcome", KefuTestClient.Type(await same.HelloAsync()));
    }

    [Fact]
    public async Task PlainHttpRequestToTheSocketEndpoint_Gets400()
    {
        await using var host = await KefuTestHost.StartAsync();
        using var http = host.CreateHttpClient();
        var response = await http.GetAsync("/kefu/ws");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task BinaryFrame_IsRefused_AndTheConnectionStaysUsable()
    {
        await using var host = await KefuTestHost.StartAsync(kestrel: true);
        var (raw, client) = await HelloOverARawSocketAsync(host);
        using var _ = raw;
        await using var __ = client;
        await raw.SendAsync(Encoding.UTF8.GetBytes("{\"t\":\"ping\"}"), WebSocketMessageType.Binary, true, CancellationToken.None);
        Assert.Equal("bad_frame", (await client.WaitForTypeAsync("error")).GetProperty("code").GetString());
        await client.SendAsync("{\"t\":\"ping\"}");
        await client.WaitForTypeAsync("pong");
    }

    /// <summary>
    /// The receive loop waits for each message with a zero-byte receive and rents its buffer only then (an idle
    /// connection holds none): on real Kestrel, an empty message, messages fragmented into several frames, one longer
    /// than the first buffer, and messages after a pause are each read whole and in order.
    /// </summary>
    [Fact]
    public async Task Messages_OfEveryShape_AreReadWhole_WithABufferRentedPerMessage()
    {
        await using var host = await KefuTestHost.StartAsync(kestrel: true);
        var (raw, client) = await HelloOverARawSocketAsync(host);
        using var _ = raw;
        await using var __ = client;

        // an empty text message is a frame that is not JSON
        await raw.SendAsync(ReadOnlyMemory<byte>.Empty, WebSocketMessageType.Text, true, CancellationToken.None);
        Assert.Equal("bad_frame", (await client.WaitForTypeAsync("error")).GetProperty("code").GetString());

        // one message in three frames, the first of them empty
        await raw.SendAsync(ReadOnlyMemory<byte>.Empty, WebSocketMessageType.Text, false, CancellationToken.None);
        await raw.SendAsync("{\"t\":"u8.ToArray(), WebSocketMessageType.Text, false, CancellationToken.None);
        await raw.SendAsync("\"ping\"}"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        await client.WaitForTypeAsync("pong");

        // longer than the 4 KB first buffer (an unknown member is ignored), in 1 KB frames
        var padded = Encoding.UTF8.GetBytes("{\"t\":\"ping\",\"pad\":\"" + new string('x', 9_000) + "\"}");
        for (var at = 0; at < padded.Length; at += 1024)
        {
            await raw.SendAsync(padded.AsMemory(at, Math.Min(1024, padded.Length - at)), WebSocketMessageType.Text, at + 1024 >= padded.Length, CancellationToken.None);
        }

        await client.WaitForTypeAsync("pong");

        // after a pause (the loop gave its buffer back while waiting), still one whole message at a time
        await Task.Delay(200);
        await client.SendAsync("{\"t\":\"ping\"}");
        await client.WaitForTypeAsync("pong");
    }

    /// <summary>A client over a <see cref="ClientWebSocket"/> the test also writes to directly (binary, empty, fragmented), after its hello.</summary>
    private static async Task<(ClientWebSocket Raw, KefuTestClient Client)> HelloOverARawSocketAsync(KefuTestHost host)
    {
        var raw = new ClientWebSocket();
        await raw.ConnectAsync(new UriBuilder(host.BaseAddress) { Scheme = "ws", Path = "/kefu/ws" }.Uri, CancellationToken.None);
        var client = new KefuTestClient(raw);
        await client.HelloAsync();
        return (raw, client);
    }
}
