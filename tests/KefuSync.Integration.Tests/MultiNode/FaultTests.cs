using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Tests.Infrastructure;
using KefuSync.Tests.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Integration.Tests.MultiNode;

/// <summary>
/// Faults in the middle of traffic. A visitor keeps sending (resending with the same id until acked, as the outbox does)
/// while the fault happens; afterwards every acked message is in the log exactly once, in consecutive revisions, and an
/// agent on the other node has received all of them in order.
/// </summary>
[Collection(PersistentRedisCollection.Name)]
public sealed class RedisFaultTests(PersistentRedisServerFixture redis)
{
    private const int Messages = 24;
    private readonly CapturedLogs _logs = new();

    private async Task<(KefuTestHost One, KefuTestHost Two)> StartNodesAsync()
    {
        var prefix = "fault" + Guid.NewGuid().ToString("N")[..8] + ":";
        void Redis(IKefuSyncBuilder b) => b.AddRedis(r => { r.Configuration = redis.Configuration; r.KeyPrefix = prefix; r.OperationTimeout = TimeSpan.FromMilliseconds(500); });
        return (await KefuTestHost.StartAsync(kefu: Redis, logs: _logs), await KefuTestHost.StartAsync(kefu: Redis, logs: _logs));
    }

    [Theory]
    [InlineData("kill")]
    [InlineData("stall")]
    public async Task RedisFault_MidTraffic_LosesNothing_AndDuplicatesNothing(string fault)
    {
        var (one, two) = await StartNodesAsync();
        await using (one)
        await using (two)
        {
            await using var probe = await one.ConnectAsync();
            var welcome = await probe.HelloAsync();
            var token = welcome.GetProperty("token").GetString()!;
            var ch = "conv:" + welcome.GetProperty("conv").GetString();
            await using var agent = await two.ConnectAsync(agent: "alice");
            await agent.HelloAsync(agent: true);
            await agent.SendAsync(new { t = "sub", c = "a", ch, rev = 0 });
            await agent.WaitForTypeAsync("subbed");

            await using var sender = new ReliableSender(() => Task.FromResult(one), token);
            var acked = new List<(string Id, long Revision)>();
            for (var i = 1; i <= Messages; i++)
            {
                if (i == Messages / 3)
                {
                    if (fault == "kill")
                    {
                        await redis.KillAsync();
                        _ = Task.Delay(1500).ContinueWith(_ => redis.StartAsync(), TaskScheduler.Default).Unwrap();
                    }
                    else
                    {
                        redis.Pause();
                        _ = Task.Delay(1500).ContinueWith(_ => redis.Resume(), TaskScheduler.Default);
                    }
                }

                acked.Add(($"m-{i}", await sender.SendAsync(ch, $"m-{i}", $"message {i}", TimeSpan.FromSeconds(30))));
            }

            await AssertExactlyOnceAsync(one, ch, acked);
            AssertNoFailureForAResend(_logs);

            // The agent on the other node ends up with every revision, in order, once.
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (agent.Seen.Count(f => KefuTestClient.Type(f) == "op") < Messages && DateTime.UtcNow < deadline)
            {
                await agent.SendAsync(new { t = "ping" });
                await Task.Delay(200);
            }

            var revisions = agent.Seen.Where(f => KefuTestClient.Type(f) == "op").Select(f => f.GetProperty("rev").GetInt64()).ToList();
            Assert.Equal(Enumerable.Range(1, Messages).Select(i => (long)i), revisions);
        }
    }

    [Fact]
    public async Task AppNodeRestart_MidTraffic_ClientsMoveToTheOtherNode_AndNothingIsLostOrDoubled()
    {
        var (one, two) = await StartNodesAsync();
        await using (two)
        {
            await using var probe = await one.ConnectAsync();
            var welcome = await probe.HelloAsync();
            var token = welcome.GetProperty("token").GetString()!;
            var ch = "conv:" + welcome.GetProperty("conv").GetString();
            await probe.DisposeAsync();

            var current = one;
            await using var sender = new ReliableSender(() => Task.FromResult(current), token);
            var acked = new List<(string Id, long Revision)>();
            for (var i = 1; i <= Messages; i++)
            {
                if (i == Messages / 2)
                {
                    // Node one goes away mid-conversation; the "load balancer" sends new connections to node two.
                    await one.DisposeAsync();
                    current = two;
                }

                acked.Add(($"m-{i}", await sender.SendAsync(ch, $"m-{i}", $"message {i}", TimeSpan.FromSeconds(30))));
            }

            await AssertExactlyOnceAsync(two, ch, acked);
            AssertNoFailureForAResend(_logs);
        }
    }

    /// <summary>
    /// Resends after the fault are the normal path: none of them may be logged as a failure (a <c>fail:</c> line). The
    /// fault itself may be: a database that is down is an error worth logging.
    /// </summary>
    internal static void AssertNoFailureForAResend(CapturedLogs logs)
    {
        var forResends = logs.Failures.Where(e =>
            (e.Message + " " + e.Exception).Contains("duplicate key", StringComparison.OrdinalIgnoreCase)
            || (e.Message + " " + e.Exception).Contains("UNIQUE constraint", StringComparison.OrdinalIgnoreCase)
            || (e.Message + " " + e.Exception).Contains("23505", StringComparison.Ordinal)
            || e.Category.StartsWith("KefuSync", StringComparison.Ordinal)).ToList();
        Assert.True(forResends.Count == 0, "Failures logged for resends: " + string.Join(" | ", forResends));
    }

    internal static async Task AssertExactlyOnceAsync(KefuTestHost host, string channel, List<(string Id, long Revision)> acked)
    {
        var log = await host.Store.ReadAsync(channel, 0, 10_000);
        Assert.Equal(Enumerable.Range(1, log.Count).Select(i => (long)i), log.Select(r => r.Revision));
        Assert.Equal(acked.Count, log.Count);
        foreach (var (id, revision) in acked)
        {
            var record = Assert.Single(log, r => r.ClientOpId == id);
            Assert.Equal(revision, record.Revision);
        }
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresFaultTests(PostgresServerFixture postgres)
{
    [Fact]
    public async Task PostgresDown_MidTraffic_ClientsGetRetryableErrors_AndEverythingLandsOnceAfterwards()
    {
        var database = "kefu_it_" + Guid.NewGuid().ToString("N")[..8];
        var logs = new CapturedLogs();
        await using var host = await KefuTestHost.StartAsync(logs: logs, kefu: b => b.AddEntityFrameworkStore(o => o.UseNpgsql(postgres.ConnectionString(database)), o => { o.CreateSchemaOnStartup = true; o.OperationTimeout = TimeSpan.FromSeconds(2); }));
        await using var probe = await host.ConnectAsync();
        var welcome = await probe.HelloAsync();
        var token = welcome.GetProperty("token").GetString()!;
        var ch = "conv:" + welcome.GetProperty("conv").GetString();

        await using var sender = new ReliableSender(() => Task.FromResult(host), token);
        var acked = new List<(string Id, long Revision)>();
        for (var i = 1; i <= 16; i++)
        {
            if (i == 6)
            {
                await postgres.StopAsync();
                _ = Task.Delay(1500).ContinueWith(_ => postgres.StartAsync(), TaskScheduler.Default).Unwrap();
            }

            acked.Add(($"m-{i}", await sender.SendAsync(ch, $"m-{i}", $"message {i}", TimeSpan.FromSeconds(40))));
        }

        await RedisFaultTests.AssertExactlyOnceAsync(host, ch, acked);
        RedisFaultTests.AssertNoFailureForAResend(logs);
    }
}
