using System.Diagnostics.Metrics;
using System.Text.Json;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Integration.Tests.Conversations;

/// <summary>The <c>rate</c> op on the wire (docs/protocol.md §4.2): the visitor's, after a close, once per close.</summary>
public sealed class RatingTests
{
    private static async Task<(KefuTestClient Visitor, KefuTestClient Agent, string Ch)> ClosedAsync(KefuTestHost host)
    {
        var visitor = await host.ConnectAsync();
        var ch = "conv:" + (await visitor.HelloAsync()).GetProperty("conv").GetString();
        await visitor.SendAsync(new { t = "submit", c = "v", ch, id = "v-1", rev = 0, op = new { k = "msg", text = "My parcel is late" } });
        await visitor.WaitForAsync(f => KefuTestClient.Type(f) == "ack" && f.GetProperty("id").GetString() == "v-1");
        var agent = await host.ConnectAsync(agent: "alice");
        await agent.HelloAsync(agent: true);
        await agent.SendAsync(new { t = "submit", c = "a", ch, id = "a-1", rev = 1, op = new { k = "msg", text = "It ships today." } });
        await agent.SendAsync(new { t = "submit", c = "a", ch, id = "a-2", rev = 2, op = new { k = "status", status = "closed" } });
        await agent.WaitForAsync(f => KefuTestClient.Type(f) == "ack" && f.GetProperty("id").GetString() == "a-2");
        return (visitor, agent, ch);
    }

    private static async Task<JsonElement> RateAsync(KefuTestClient client, string ch, string id, object op, string c = "v")
    {
        await client.SendAsync(new { t = "submit", c, ch, id, rev = 0, op });
        return await client.WaitForAsync(f => (KefuTestClient.Type(f) is "ack" or "error") && f.TryGetProperty("id", out var i) && i.GetString() == id);
    }

    private static async Task<JsonElement> ClosedSummaryAsync(KefuTestClient agent)
    {
        await agent.SendAsync(new { t = "list", f = "closed", q = "closed" });
        var list = await agent.WaitForAsync(f => KefuTestClient.Type(f) == "list" && f.GetProperty("q").GetString() == "closed");
        return Assert.Single(list.GetProperty("items").EnumerateArray()).Clone();
    }

    [Fact]
    public async Task Rate_AfterClose_IsStoredAsTheServerBuildsIt_ShownInTheInbox_AndCounted()
    {
        await using var host = await KefuTestHost.StartAsync();
        var factory = host.Services.GetRequiredService<IMeterFactory>();
        var scores = new List<(long Value, object? Score)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Name == "kefusync.ratings")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            lock (scores)
            {
                scores.Add((value, tags.ToArray().Single(t => t.Key == "score").Value));
            }
        });
        listener.Start();

        var (visitor, agent, ch) = await ClosedAsync(host);
        await using var _ = visitor;
        await using var __ = agent;
        var ack = await RateAsync(visitor, ch, "v-r", new { k = "rate", score = 4, comment = "Quick, thanks", role = "agent", name = "forged" });
        Assert.Equal("ack", KefuTestClient.Type(ack));

        var stored = (await host.Store.ReadAsync(ch, ack.GetProperty("rev").GetInt64() - 1, 1))[0];
        using var payload = JsonDocument.Parse(stored.Payload);
        Assert.Equal(4, payload.RootElement.GetProperty("score").GetInt32());
        Assert.Equal("Quick, thanks", payload.RootElement.GetProperty("comment").GetString());
        Assert.Equal("visitor", payload.RootElement.GetProperty("role").GetString());

        var summary = await ClosedSummaryAsync(agent);
        Assert.Equal(4, summary.GetProperty("rating").GetInt32());
        Assert.Equal("Quick, thanks", summary.GetProperty("ratingComment").GetString());
        Assert.Equal("closed", summary.GetProperty("status").GetString()); // rating does not reopen

        // The server-side API reads the same op.
        var ops = await host.Services.GetRequiredService<IKefuSyncService>().ReadAsync(ch, 0);
        Assert.Contains(ops, o => o.Payload.Span.IndexOf("\"k\":\"rate\""u8) >= 0);

        lock (scores)
        {
            Assert.Equal([(1L, (object?)4L)], scores);
        }
    }

    [Fact]
    public async Task Rate_Resent_IsAnsweredDup_AndASecondRatingOfTheSameCloseIsRefused()
    {
        await using var host = await KefuTestHost.StartAsync();
        var (visitor, agent, ch) = await ClosedAsync(host);
        await using var _ = visitor;
        await using var __ = agent;
        var first = await RateAsync(visitor, ch, "v-r", new { k = "rate", score = 5 });
        var head = await host.Store.GetRevisionAsync(ch);
        var resent = await RateAsync(visitor, ch, "v-r", new { k = "rate", score = 5 });
        Assert.Equal("ack", KefuTestClient.Type(resent));
        Assert.True(resent.GetProperty("dup").GetBoolean());
        Assert.Equal(first.GetProperty("rev").GetInt64(), resent.GetProperty("rev").GetInt64());

        var second = await RateAsync(visitor, ch, "v-r2", new { k = "rate", score = 1 });
        Assert.Equal("invalid_op", second.GetProperty("code").GetString());
        Assert.False(second.GetProperty("retry").GetBoolean());
        Assert.Equal(head, await host.Store.GetRevisionAsync(ch));
        Assert.Equal(5, (await ClosedSummaryAsync(agent)).GetProperty("rating").GetInt32()); // the first rating stands
    }

    [Fact]
    public async Task Rate_BeforeClose_AndAfterAReopen_IsRefused_AndTheNextCloseCanBeRated()
    {
        await using var host = await KefuTestHost.StartAsync();
        await using var visitor = await host.ConnectAsync();
        var ch = "conv:" + (await visitor.HelloAsync()).GetProperty("conv").GetString();
        await visitor.SendAsync(new { t = "submit", c = "v", ch, id = "v-1", rev = 0, op = new { k = "msg", text = "Hello" } });
        Assert.Equal("invalid_op", (await RateAsync(visitor, ch, "v-r1", new { k = "rate", score = 5 })).GetProperty("code").GetString());

        await using var agent = await host.ConnectAsync(agent: "alice");
        await agent.HelloAsync(agent: true);
        await agent.SendAsync(new { t = "submit", c = "a", ch, id = "a-1", rev = 1, op = new { k = "status", status = "closed" } });
        await agent.WaitForAsync(f => KefuTestClient.Type(f) == "ack" && f.GetProperty("id").GetString() == "a-1");
        Assert.Equal("ack", KefuTestClient.Type(await RateAsync(visitor, ch, "v-r2", new { k = "rate", score = 2 })));

        // The visitor writes again: reopened, so not ratable until the agents close it again.
        await visitor.SendAsync(new { t = "submit", c = "v", ch, id = "v-2", rev = 3, op = new { k = "msg", text = "One more thing" } });
        Assert.Equal("invalid_op", (await RateAsync(visitor, ch, "v-r3", new { k = "rate", score = 3 })).GetProperty("code").GetString());
        await agent.SendAsync(new { t = "submit", c = "a", ch, id = "a-2", rev = 4, op = new { k = "status", status = "closed" } });
        await agent.WaitForAsync(f => KefuTestClient.Type(f) == "ack" && f.GetProperty("id").GetString() == "a-2");
        Assert.Equal("ack", KefuTestClient.Type(await RateAsync(visitor, ch, "v-r4", new { k = "rate", score = 5 })));
    }

    [Fact]
    public async Task Rate_ByAnAgent_OrInAnotherVisitorsConversation_IsForbidden()
    {
        await using var host = await KefuTestHost.StartAsync();
        var (visitor, agent, ch) = await ClosedAsync(host);
        await using var _ = visitor;
        await using var __ = agent;
        Assert.Equal("forbidden", (await RateAsync(agent, ch, "a-r", new { k = "rate", score = 5 }, c: "a")).GetProperty("code").GetString());

        await using var other = await host.ConnectAsync();
        await other.HelloAsync();
        Assert.Equal("forbidden", (await RateAsync(other, ch, "o-r", new { k = "rate", score = 1 })).GetProperty("code").GetString());
        Assert.Equal(3, await host.Store.GetRevisionAsync(ch));
    }

    [Theory]
    [InlineData("{\"k\":\"rate\",\"score\":0}")]
    [InlineData("{\"k\":\"rate\",\"score\":6}")]
    [InlineData("{\"k\":\"rate\",\"score\":4.5}")]
    [InlineData("{\"k\":\"rate\",\"score\":\"5\"}")]
    [InlineData("{\"k\":\"rate\"}")]
    [InlineData("{\"k\":\"rate\",\"score\":5,\"comment\":\"a\\ud83db\"}")]
    public async Task Rate_OutOfRangeOrMalformed_IsInvalidOp(string op)
    {
        await using var host = await KefuTestHost.StartAsync();
        var (visitor, agent, ch) = await ClosedAsync(host);
        await using var _ = visitor;
        await using var __ = agent;
        await visitor.SendAsync("{\"t\":\"submit\",\"c\":\"v\",\"ch\":\"" + ch + "\",\"id\":\"v-r\",\"rev\":0,\"op\":" + op + "}");
        var error = await visitor.WaitForTypeAsync("error");
        Assert.Equal("invalid_op", error.GetProperty("code").GetString());
        Assert.Equal(3, await host.Store.GetRevisionAsync(ch));
    }

    [Fact]
    public async Task Rate_CommentLongerThanTheLimit_IsInvalidOp()
    {
        await using var host = await KefuTestHost.StartAsync();
        var (visitor, agent, ch) = await ClosedAsync(host);
        await using var _ = visitor;
        await using var __ = agent;
        var error = await RateAsync(visitor, ch, "v-r", new { k = "rate", score = 3, comment = new string('x', 1001) });
        Assert.Equal("invalid_op", error.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData(KefuRating.Thumbs, 3, "invalid_op")]
    [InlineData(KefuRating.Thumbs, 1, "ack")]
    [InlineData(KefuRating.Off, 5, "invalid_op")]
    public async Task Rate_FollowsTheRatingOption(KefuRating mode, int score, string expected)
    {
        await using var host = await KefuTestHost.StartAsync(o => o.Conversations.Rating = mode);
        var (visitor, agent, ch) = await ClosedAsync(host);
        await using var _ = visitor;
        await using var __ = agent;
        var answer = await RateAsync(visitor, ch, "v-r", new { k = "rate", score });
        Assert.Equal(expected, KefuTestClient.Type(answer) == "ack" ? "ack" : answer.GetProperty("code").GetString());
    }
}
