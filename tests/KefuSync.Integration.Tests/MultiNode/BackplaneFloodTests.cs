using System.Diagnostics;
using System.Diagnostics.Metrics;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Redis.Backplane;
using KefuSync.Tests.Infrastructure;
using KefuSync.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Integration.Tests.MultiNode;

/// <summary>
/// Node A floods node B over the backplane while B's receive queue is far too small for the burst (one byte: a message
/// only gets in when the queue is empty). B holds no more than one message at a time, drops the rest, and still delivers
/// every op to its subscribers, in order and once: the dropped announcements are repaired from the store.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class BackplaneFloodTests(RedisServerFixture redis)
{
    [Fact]
    public async Task Flood_FromAnotherNode_KeepsTheQueueBounded_AndLosesNothingAtTheSubscribers()
    {
        var prefix = "flood" + Guid.NewGuid().ToString("N")[..8] + ":";
        await using var a = await KefuTestHost.StartAsync(kefu: k => k.AddRedis(r => { r.Configuration = redis.Configuration; r.KeyPrefix = prefix; }));
        await using var b = await KefuTestHost.StartAsync(kefu: k => k.AddRedis(r => { r.Configuration = redis.Configuration; r.KeyPrefix = prefix; r.BackplaneReceiveQueueBytes = 1; }));
        var backplaneB = (RedisBackplane)b.Services.GetRequiredService<KefuSync.Backplane.IBackplane>();
        using var dropped = new MeterListener();
        long drops = 0;
        dropped.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, backplaneB.Metrics.Meter) && instrument.Name == "kefusync.backplane.dropped")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        dropped.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref drops, value));
        dropped.Start();

        const int conversations = 8;
        const int perConversation = 40;
        var keys = Enumerable.Range(0, conversations).Select(i => $"flood{i}{Guid.NewGuid():N}"[..20]).ToList();
        var agents = new List<KefuTestClient>();
        foreach (var key in keys)
        {
            var agent = await b.ConnectAsync(agent: "alice");
            await agent.HelloAsync(agent: true);
            await agent.SendAsync(new { t = "sub", c = "a", ch = "conv:" + key, rev = 0 });
            await agent.WaitForTypeAsync("subbed");
            agents.Add(agent);
        }

        var api = a.Services.GetRequiredService<IKefuSyncService>();
        var bot = new KefuSender("bot:flood", "Flood");
        await Task.WhenAll(keys.Select(key => Task.Run(async () =>
        {
            for (var i = 1; i <= perConversation; i++)
            {
                var result = await api.PostMessageAsync(key, $"message {i}", bot, $"{key}-{i}");
                Assert.True(result.Committed, $"{result.ErrorCode}: {result.Error}");
            }
        })));

        try
        {
            for (var c = 0; c < conversations; c++)
            {
                var channel = "conv:" + keys[c];
                var agent = agents[c];
                var watch = Stopwatch.StartNew();
                while (Ops(agent, channel).Count < perConversation && watch.Elapsed < TimeSpan.FromSeconds(30))
                {
                    await Task.Delay(50);
                }

                // Every revision, in order, once: consecutive from 1.
                Assert.Equal(Enumerable.Range(1, perConversation).Select(i => (long)i), Ops(agent, channel));
            }

            Assert.True(Interlocked.Read(ref drops) > 0, "node B never dropped a message, so the repair path was not exercised");
            // One message at most was ever queued (the bound lets one in when the queue is empty).
            Assert.True(backplaneB.PeakQueuedBytes < 8 * 1024, $"node B queued {backplaneB.PeakQueuedBytes} bytes at once");
        }
        finally
        {
            foreach (var agent in agents)
            {
                await agent.DisposeAsync();
            }
        }
    }

    private static List<long> Ops(KefuTestClient client, string channel) =>
        client.Seen.Where(f => KefuTestClient.Type(f) == "op" && f.GetProperty("ch").GetString() == channel).Select(f => f.GetProperty("rev").GetInt64()).ToList();
}
