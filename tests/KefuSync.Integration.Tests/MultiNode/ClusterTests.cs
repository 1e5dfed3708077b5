using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Tests.Infrastructure;
using KefuSync.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Integration.Tests.MultiNode;

/// <summary>Two KefuSync nodes over a real Redis Cluster (store and sharded backplane, appends acknowledged once replicated).</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class ClusterTests(RedisClusterFixture cluster)
{
    [Fact]
    public async Task MessageSentOnOneNode_ReachesASubscriberOnTheOther_BothWays()
    {
        var prefix = "cl" + Guid.NewGuid().ToString("N")[..8] + ":";
        void Redis(IKefuSyncBuilder b) => b.AddRedis(r => { r.Configuration = cluster.Configuration; r.KeyPrefix = prefix; r.WaitForReplicas = 1; });
        await using var one = await KefuTestHost.StartAsync(kefu: Redis);
        await using var two = await KefuTestHost.StartAsync(kefu: Redis);

        // Several conversations, so that their channels (and their backplane partitions) live on different shards.
        for (var i = 0; i < 3; i++)
        {
            await using var visitor = await one.ConnectAsync();
            var ch = "conv:" + (await visitor.HelloAsync()).GetProperty("conv").GetString();
            await visitor.SendAsync(new { t = "sub", c = "v", ch, rev = 0 });
            await visitor.WaitForTypeAsync("subbed");
            await using var agent = await two.ConnectAsync(agent: "alice");
            await agent.HelloAsync(agent: true);
            await agent.SendAsync(new { t = "sub", c = "a", ch, rev = 0 });
            await agent.WaitForTypeAsync("subbed");

            await visitor.SendAsync(new { t = "submit", c = "v", ch, id = $"v-{i}", rev = 0, op = new { k = "msg", text = "from node one" } });
            var atAgent = await agent.WaitForAsync(f => KefuTestClient.Type(f) == "op" && f.GetProperty("ch").GetString() == ch);
            Assert.Equal(1, atAgent.GetProperty("rev").GetInt64());

            await agent.SendAsync(new { t = "submit", c = "a", ch, id = $"a-{i}", rev = 1, op = new { k = "msg", text = "from node two" } });
            var atVisitor = await visitor.WaitForAsync(f => KefuTestClient.Type(f) == "op" && f.GetProperty("rev").GetInt64() == 2);
            Assert.Equal("agent", atVisitor.GetProperty("op").GetProperty("role").GetString());
        }
    }
}
