using System.Text.Json;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Tests.Shared;

namespace KefuSync.Integration.Tests.Sync;

public sealed class MessageSyncTests
{
    private static object Sub(string c, string ch, long rev) => new { t = "sub", c, ch, rev };

    private static object Msg(string c, string ch, string id, string text) => new { t = "submit", c, ch, id, rev = 0, op = new { k = "msg", text } };

    [Fact]
    public async Task Hello_WithoutToken_MintsAnonymousVisitor_WhoseTokenReconnectsToTheSameConversation()
    {
        await using var host = await KefuTestHost.StartAsync();
        await using var first = await host.ConnectAsync();
        var welcome = await first.HelloAsync();
        Assert.Equal("welcome", KefuTestClient.Type(welcome));
        Assert.Equal("visitor", welcome.GetProperty("me").GetProperty("role").GetString());
        var token = welcome.GetProperty("token").GetString();
        var conv = welcome.GetProperty("conv").GetString();
        Assert.False(string.IsNullOrEmpty(token));

        await using var second = await host.ConnectAsync();
        var again = await second.HelloAsync(token);
        Assert.Equal(conv, again.GetProperty("conv").GetString());
        Assert.Equal(welcome.GetProperty("me").GetProperty("id").GetString(), again.GetProperty("me").GetProperty("id").GetString());
        Assert.False(again.TryGetProperty("token", out _), "a valid token is not re-issued");
    }

    [Fact]
    public async Task Submit_AcksSender_AndBroadcastsToEveryTabAndDevice_WithConsecutiveRevisions()
    {
        await using var host = await KefuTestHost.StartAsync();
        await using var phone = await host.ConnectAsync();
        var welcome = await phone.HelloAsync();
        var token = welcome.GetProperty("token").GetString();
        var ch = "conv:" + welcome.GetProperty("conv").GetString();
        await using var laptop = await host.ConnectAsync();
        await laptop.HelloAsync(token);

        await phone.SendAsync(Sub("tabA", ch, 0));
        await phone.SendAsync(Sub("tabB", ch, 0));
        await laptop.SendAsync(Sub("tab1", ch, 0));
        await phone.WaitForTypeAsync("subbed");
        await laptop.WaitForTypeAsync("subbed");

        for (var i = 1; i <= 5; i++)
        {
            await phone.SendAsync(Msg("tabA", ch, $"tabA-{i}", $"message {i} 你好"));
        }

        var ack = await phone.WaitForAsync(f => KefuTestClient.Type(f) == "ack" && f.GetProperty("id").GetString() == "tabA-5");
        Assert.Equal(5, ack.GetProperty("rev").GetInt64());
        Assert.Equal("tabA", ack.GetProperty("c").GetString());

        await laptop.WaitForAsync(f => KefuTestClient.Type(f) == "op" && f.GetProperty("rev").GetInt64() == 5);
        var laptopOps = laptop.Seen.Where(f => KefuTestClient.Type(f) == "op").ToList();
        Assert.Equal([1L, 2, 3, 4, 5], laptopOps.Select(f => f.GetProperty("rev").GetInt64()));
        Assert.Equal("message 3 你好", laptopOps[2].GetProperty("op").GetProperty("text").GetString());
        Assert.Equal("visitor", laptopOps[2].GetProperty("op").GetProperty("role").GetString());
    }

    [Fact]
    public async Task Submit_IsIdempotent_WhenClientOpIdRepeats()
    {
        await using var host = await KefuTestHost.StartAsync();
        await using var client = await host.ConnectAsync();
        var welcome = await client.HelloAsync();
        var ch = "conv:" + welcome.GetProperty("conv").GetString();

        await client.SendAsync(Msg("t1", ch, "t1-1", "once"));
        var first = await client.WaitForTypeAsync("ack");
        await client.SendAsync(Msg("t1", ch, "t1-1", "once"));
        var second = await client.WaitForTypeAsync("ack");

        Assert.Equal(first.GetProperty("rev").GetInt64(), second.GetProperty("rev").GetInt64());
        Assert.True(second.GetProperty("dup").GetBoolean());
        var log = await host.Store.ReadAsync(ch, 0, 100);
        Assert.Single(log);
    }

    [Fact]
    public async Task Reconnect_CatchesUpEverythingAfterLastRevision_WithoutGapsOrDuplicates()
    {
        await using var host = await KefuTestHost.StartAsync();
        await using var writer = await host.ConnectAsync();
        var welcome = await writer.HelloAsync();
        var token = welcome.GetProperty("token").GetString();
        var ch = "conv:" + welcome.GetProperty("conv").GetString();
        for (var i = 1; i <= 30; i++)
        {
            await writer.SendAsync(Msg("w", ch, $"w-{i}", $"m{i}"));
        }

        await writer.WaitForAsync(f => KefuTestClient.Type(f) == "ack" && f.GetProperty("id").GetString() == "w-30");

        await using var reader = await host.ConnectAsync();
        await reader.HelloAsync(token);
        await reader.SendAsync(Sub("r", ch, 12));
        await reader.WaitForTypeAsync("subbed");
        var revisions = reader.Seen.Where(f => KefuTestClient.Type(f) == "op").Select(f => f.GetProperty("rev").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(13, 18).Select(i => (long)i), revisions);
    }

    [Fact]
    public async Task Subscribe_WithTail_StartsFromAMarker_AndHistoryPagesBack()
    {
        await using var host = await KefuTestHost.StartAsync();
        await using var client = await host.ConnectAsync();
        var welcome = await client.HelloAsync();
        var ch = "conv:" + welcome.GetProperty("conv").GetString();
        for (var i = 1; i <= 20; i++)
        {
            await client.SendAsync(Msg("w", ch, $"w-{i}", $"m{i}"));
        }

        await client.WaitForAsync(f => KefuTestClient.Type(f) == "ack" && f.GetProperty("id").GetString() == "w-20");
        await using var other = await host.ConnectAsync();
        await other.HelloAsync(welcome.GetProperty("token").GetString());
        await other.SendAsync(new { t = "sub", c = "x", ch, rev = 0, n = 5 });
        var marker = await other.WaitForTypeAsync("snapshot");
        Assert.Equal(15, marker.GetProperty("rev").GetInt64());
        await other.WaitForTypeAsync("subbed");
        Assert.Equal([16L, 17, 18, 19, 20], other.Seen.Where(f => KefuTestClient.Type(f) == "op").Select(f => f.GetProperty("rev").GetInt64()));

        await other.SendAsync(new { t = "history", ch, rev = 16, n = 10, q = "page1" });
        var page = await other.WaitForTypeAsync("history");
        Assert.Equal("page1", page.GetProperty("q").GetString());
        Assert.Equal(Enumerable.Range(6, 10).Select(i => (long)i), page.GetProperty("ops").EnumerateArray().Select(o => o.GetProperty("rev").GetInt64()));
    }

    [Fact]
    public async Task Visitor_CannotReadOrWriteAnotherVisitorsConversation_EvenWithHandCraftedFrames()
    {
        await using var host = await KefuTestHost.StartAsync();
        await using var alice = await host.ConnectAsync();
        var aliceConv = "conv:" + (await alice.HelloAsync()).GetProperty("conv").GetString();
        await alice.SendAsync(Msg("a", aliceConv, "a-1", "secret order #123"));
        await alice.WaitForTypeAsync("ack");

        await using var mallory = await host.ConnectAsync();
        await mallory.HelloAsync();
        foreach (var frame in new object[]
        {
            Sub("m", aliceConv, 0),
            new { t = "history", ch = aliceConv, rev = 100, n = 10, q = "h" },
            Msg("m", aliceConv, "m-1", "injected"),
            Sub("m", "vdraft:" + aliceConv[5..], 0),
            Sub("m", "inbox", 0),
            Sub("m", "draft:" + aliceConv[5..], 0),
        })
        {
            await mallory.SendAsync(frame);
            var error = await mallory.WaitForTypeAsync("error");
            Assert.Equal("forbidden", error.GetProperty("code").GetString());
        }

        Assert.DoesNotContain(mallory.Seen, f => KefuTestClient.Type(f) is "op" or "history" or "snapshot");
        Assert.Single(await host.Store.ReadAsync(aliceConv, 0, 100));
    }

    [Fact]
    public async Task Agent_SeesVisitorConversation_AndReplies()
    {
        await using var host = await KefuTestHost.StartAsync();
        await using var visitor = await host.ConnectAsync();
        var ch = "conv:" + (await visitor.HelloAsync()).GetProperty("conv").GetString();
        await visitor.SendAsync(Sub("v", ch, 0));
        await visitor.WaitForTypeAsync("subbed");

        await using var agent = await host.ConnectAsync(agent: "alice");
        var welcome = await agent.HelloAsync(agent: true);
        Assert.Equal("agent", welcome.GetProperty("me").GetProperty("role").GetString());
        await agent.SendAsync(Sub("a", ch, 0));
        await agent.WaitForTypeAsync("subbed");
        await agent.SendAsync(Msg("a", ch, "a-1", "How can I help?"));

        var op = await visitor.WaitForTypeAsync("op");
        Assert.Equal("agent", op.GetProperty("op").GetProperty("role").GetString());
        Assert.Equal("agent:alice", op.GetProperty("by").GetString());
    }

    [Fact]
    public async Task NonAgentUser_AskingForAgentRole_IsClosedWith4403()
    {
        await using var host = await KefuTestHost.StartAsync();
        await using var client = await host.ConnectAsync(user: "eve");
        var reply = await client.HelloAsync(agent: true);
        Assert.Equal("forbidden", reply.GetProperty("code").GetString());
        Assert.Equal(4403, (int?)await client.WaitForCloseAsync());
    }

    [Fact]
    public async Task ForgedToken_IsRefusedWith4401()
    {
        await using var host = await KefuTestHost.StartAsync();
        await using var client = await host.ConnectAsync();
        var reply = await client.HelloAsync("CfDJ8forged-token-value");
        Assert.Equal("auth_failed", reply.GetProperty("code").GetString());
        Assert.Equal(4401, (int?)await client.WaitForCloseAsync());
    }

    [Fact]
    public async Task AgentEdit_OfOwnMessage_IsSynced_ButAVisitorCannotEdit()
    {
        await using var host = await KefuTestHost.StartAsync();
        await using var visitor = await host.ConnectAsync();
        var ch = "conv:" + (await visitor.HelloAsync()).GetProperty("conv").GetString();
        await using var agent = await host.ConnectAsync(agent: "bob");
        await agent.HelloAsync(agent: true);
        await agent.SendAsync(Msg("a", ch, "a-1", "Helo"));
        await agent.WaitForTypeAsync("ack");
        await agent.SendAsync(new { t = "submit", c = "a", ch, id = "a-2", rev = 1, op = new { k = "edit", target = 1, text = "Hello" } });
        var editAck = await agent.WaitForAsync(f => KefuTestClient.Type(f) is "ack" or "error");
        Assert.Equal("ack", KefuTestClient.Type(editAck));

        await visitor.SendAsync(new { t = "submit", c = "v", ch, id = "v-1", rev = 2, op = new { k = "recall", target = 1 } });
        var refused = await visitor.WaitForTypeAsync("error");
        Assert.Equal("invalid_op", refused.GetProperty("code").GetString());
        var log = await host.Store.ReadAsync(ch, 0, 10);
        Assert.Equal(2, log.Count);
        Assert.Contains("\"k\":\"edit\"", System.Text.Encoding.UTF8.GetString(log[1].Payload.Span));
    }

    [Fact]
    public async Task MessageText_IsStoredAsPlainText_AndExtraMembersAreDropped()
    {
        await using var host = await KefuTestHost.StartAsync();
        await using var client = await host.ConnectAsync();
        var ch = "conv:" + (await client.HelloAsync()).GetProperty("conv").GetString();
        await client.SendAsync("{\"t\":\"submit\",\"c\":\"x\",\"ch\":\"" + ch + "\",\"id\":\"x-1\",\"rev\":0,\"op\":{\"k\":\"msg\",\"text\":\"<script>alert(1)</script>\",\"role\":\"agent\",\"html\":\"<b>\"}}");
        await client.WaitForTypeAsync("ack");
        var stored = JsonDocument.Parse((await host.Store.ReadAsync(ch, 0, 1))[0].Payload).RootElement;
        Assert.Equal("<script>alert(1)</script>", stored.GetProperty("text").GetString());
        Assert.Equal("visitor", stored.GetProperty("role").GetString());
        Assert.False(stored.TryGetProperty("html", out _));
    }
}
