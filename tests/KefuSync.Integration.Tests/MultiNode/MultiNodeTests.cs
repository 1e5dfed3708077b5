using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Ot;
using KefuSync.Tests.Infrastructure;
using KefuSync.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Integration.Tests.MultiNode;

/// <summary>Two app nodes sharing one Redis (store and backplane): a visitor on node 1 and an agent on node 2 see one system.</summary>
[Collection(RedisCollection.Name)]
public sealed class MultiNodeTests(RedisServerFixture redis)
{
    private async Task<(KefuTestHost One, KefuTestHost Two)> StartNodesAsync()
    {
        var prefix = "mn" + Guid.NewGuid().ToString("N")[..8] + ":";
        var one = await KefuTestHost.StartAsync(o => o.Limits.FramesPerSecond = 1000, kefu: b => b.AddRedis(r => { r.Configuration = redis.Configuration; r.KeyPrefix = prefix; }));
        var two = await KefuTestHost.StartAsync(o => o.Limits.FramesPerSecond = 1000, kefu: b => b.AddRedis(r => { r.Configuration = redis.Configuration; r.KeyPrefix = prefix; }));
        return (one, two);
    }

    [Fact]
    public async Task Messages_PresenceAndInbox_FlowBetweenAVisitorOnNodeOneAndAnAgentOnNodeTwo()
    {
        var (one, two) = await StartNodesAsync();
        await using (one)
        await using (two)
        {
            await using var visitor = await one.ConnectAsync();
            var ch = "conv:" + (await visitor.HelloAsync()).GetProperty("conv").GetString();
            await visitor.SendAsync(new { t = "sub", c = "v", ch, rev = 0 });
            await visitor.WaitForTypeAsync("subbed");
            await using var agent = await two.ConnectAsync(agent: "alice");
            await agent.HelloAsync(agent: true);
            await agent.SendAsync(new { t = "sub", c = "a", ch, rev = 0 });
            await agent.WaitForTypeAsync("subbed");

            await visitor.SendAsync(new { t = "submit", c = "v", ch, id = "v-1", rev = 0, op = new { k = "msg", text = "hello from node one" } });
            var atAgent = await agent.WaitForAsync(f => KefuTestClient.Type(f) == "op" && f.GetProperty("ch").GetString() == ch);
            Assert.Equal(1, atAgent.GetProperty("rev").GetInt64());

            await agent.SendAsync(new { t = "submit", c = "a", ch, id = "a-1", rev = 1, op = new { k = "msg", text = "hi from node two" } });
            var atVisitor = await visitor.WaitForAsync(f => KefuTestClient.Type(f) == "op" && f.GetProperty("rev").GetInt64() == 2);
            Assert.Equal("agent", atVisitor.GetProperty("op").GetProperty("role").GetString());

            // Presence crosses nodes.
            await visitor.SendAsync(new { t = "presence", c = "v", ch, s = new { typing = true } });
            await agent.WaitForAsync(f => KefuTestClient.Type(f) == "presence" && f.GetProperty("list").EnumerateArray().Any(e => e.GetProperty("role").GetString() == "visitor"));

            // The inbox on node two knows the conversation started on node one.
            await agent.SendAsync(new { t = "list", q = "l" });
            var list = await agent.WaitForTypeAsync("list");
            Assert.Contains(list.GetProperty("items").EnumerateArray(), i => "conv:" + i.GetProperty("key").GetString() == ch);
        }
    }

    /// <summary>A retryable result (conflict under contention, store hiccup) is resent with the same id, as the contract says.</summary>
    private static async Task<KefuSubmitResult> SubmitUntilDoneAsync(IKefuSyncService api, string channel, string text, KefuSender sender, string id)
    {
        for (var attempt = 0; ; attempt++)
        {
            var result = await api.SubmitTextOperationAsync(channel, 0, new TextOperation().Insert(text), sender, id);
            if (result.Committed || !result.Retryable || attempt == 20)
            {
                return result;
            }

            await Task.Delay(20 * attempt);
        }
    }

    [Fact]
    public async Task DraftEditsOnTwoNodes_WithStaleBases_Converge()
    {
        var (one, two) = await StartNodesAsync();
        await using (one)
        await using (two)
        {
            const string channel = "draft:twonodes";
            var apiOne = one.Services.GetRequiredService<IKefuSyncService>();
            var apiTwo = two.Services.GetRequiredService<IKefuSyncService>();
            var sender = new KefuSender("bot:test", "Test");
            var writes = new List<Task<KefuSubmitResult>>();
            for (var i = 0; i < 20; i++)
            {
                // Every op is made against revision 0 ("" ): each must be transformed past all the others.
                writes.Add(SubmitUntilDoneAsync(apiOne, channel, $"[1:{i}]", sender, $"one-{i}"));
                writes.Add(SubmitUntilDoneAsync(apiTwo, channel, $"[2:{i}]", sender, $"two-{i}"));
            }

            var results = await Task.WhenAll(writes);
            Assert.All(results, r => Assert.True(r.Committed, $"{r.ErrorCode}: {r.Error}"));
            var textOne = (await apiOne.GetDocumentAsync(channel)).Text;
            var textTwo = (await apiTwo.GetDocumentAsync(channel)).Text;
            Assert.Equal(textOne, textTwo);
            for (var i = 0; i < 20; i++)
            {
                Assert.Contains($"[1:{i}]", textOne);
                Assert.Contains($"[2:{i}]", textOne);
            }

            Assert.Equal(40, (await apiOne.ReadAsync(channel, 0, 1000)).Count);
        }
    }
}
