using System.Diagnostics;
using KefuSync.Tests.Infrastructure;
using StackExchange.Redis;

namespace KefuSync.Stores.Tests.Redis;

/// <summary>
/// What the pinned StackExchange.Redis does by itself when the server freezes, with no KefuSync code in between. These are
/// the facts the store and backplane are built on; if an upgrade changes one, this class says which design choice to
/// revisit (RedisConnection's remarks for timeouts, RedisBackplane's for the subscription proof).
/// </summary>
public sealed class RedisClientBehaviourTests(RedisServerFixture server) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public async Task AsyncCall_OnAFrozenServer_FailsByItself_WithRedisTimeoutException()
    {
        // 1.2.6 never timed out here (every call needed WaitAsync); 3.x must, or RedisConnection's budget does not hold.
        await using var multiplexer = await ConnectionMultiplexer.ConnectAsync($"{server.Configuration},asyncTimeout=300,abortConnect=false");
        var database = multiplexer.GetDatabase();
        await database.StringSetAsync("frozen:key", "1");
        server.Pause();
        try
        {
            var call = database.StringGetAsync("frozen:key");
            // Generous bound, only to tell "times out by itself" from "hangs until the server answers".
            var finished = await Task.WhenAny(call, Task.Delay(TimeSpan.FromSeconds(20)));
            Assert.Same(call, finished);
            await Assert.ThrowsAsync<RedisTimeoutException>(() => call);
        }
        finally
        {
            server.Resume();
        }

        Assert.Equal("1", (string?)await database.StringGetAsync("frozen:key"));
    }

    [Fact]
    public async Task SubscribeAsync_WhileAnEarlierSubscribeOfTheChannelIsStuck_FailsToo_InsteadOfReturningEarly()
    {
        // 1.2.6 completed the retried subscribe at once (the channel had a local registration) although the frozen server
        // had processed no SUBSCRIBE, so the backplane had to prove every new subscription with a probe. 3.x fails it like
        // the first one; if this starts to pass early again, bring back the probe in RedisBackplane.SubscribeToRedisAsync.
        await using var multiplexer = await ConnectionMultiplexer.ConnectAsync($"{server.Configuration},asyncTimeout=300,abortConnect=false");
        var subscriber = multiplexer.GetSubscriber();
        await subscriber.SubscribeAsync(RedisChannel.Literal("warm:" + Guid.NewGuid().ToString("N")), (_, _) => { });
        var channel = RedisChannel.Literal("early:" + Guid.NewGuid().ToString("N"));

        server.Pause();
        try
        {
            var first = subscriber.SubscribeAsync(channel, (_, _) => { });
            Assert.Same(first, await Task.WhenAny(first, Task.Delay(TimeSpan.FromSeconds(20))));
            await Assert.ThrowsAsync<RedisTimeoutException>(() => first);

            var second = subscriber.SubscribeAsync(channel, (_, _) => { });
            Assert.Same(second, await Task.WhenAny(second, Task.Delay(TimeSpan.FromSeconds(20))));
            await Assert.ThrowsAsync<RedisTimeoutException>(() => second);
        }
        finally
        {
            server.Resume();
        }
    }

    [Fact]
    public async Task SubscribeAsync_RightAfterAServerRestart_IsLiveWhenItReturns()
    {
        // The other way 1.2.6 returned early: no subscription connection yet, so it "subscribed later, on connect".
        // What is checked is that a subscribe that returns is live, not how fast it returns: with the 300 ms of the
        // freeze tests, a SUBSCRIBE on the fresh connection of a loaded CI machine timed out after 956 ms (at b7ace84).
        await using var multiplexer = await ConnectionMultiplexer.ConnectAsync($"{server.Configuration},asyncTimeout=5000,abortConnect=false");
        await using var publisher = await ConnectionMultiplexer.ConnectAsync($"{server.Configuration},abortConnect=false");
        var subscriber = multiplexer.GetSubscriber();
        await subscriber.SubscribeAsync(RedisChannel.Literal("warm:" + Guid.NewGuid().ToString("N")), (_, _) => { });
        for (var round = 0; round < 4; round++)
        {
            await server.RestartAsync();
            for (var attempt = 0; attempt < 6; attempt++)
            {
                await Task.Delay(attempt * 40);
                var channel = RedisChannel.Literal($"restart:{round}:{attempt}:{Guid.NewGuid():N}");
                var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                // Bounded here only because a subscribe issued while disconnected waits for the reconnect (test below).
                await subscriber.SubscribeAsync(channel, (_, _) => received.TrySetResult()).WaitAsync(TimeSpan.FromSeconds(20));
                await EventuallyAsync(() => publisher.GetSubscriber().PublishAsync(channel, "x"));
                Assert.Same(received.Task, await Task.WhenAny(received.Task, Task.Delay(TimeSpan.FromSeconds(10))));
            }
        }
    }

    [Fact]
    public async Task SubscribeAsync_WhileTheServerIsDown_WaitsForTheReconnect_PastAsyncTimeout()
    {
        // Why RedisBackplane still bounds SUBSCRIBE and UNSUBSCRIBE itself (and nothing else): unlike other commands,
        // they wait in the backlog for the subscription connection, past AsyncTimeout (here 10x it, and longer: seen up to
        // the sync timeout, 5 s by default, or until the reconnect).
        await using var multiplexer = await ConnectionMultiplexer.ConnectAsync($"{server.Configuration},asyncTimeout=300,abortConnect=false");
        var subscriber = multiplexer.GetSubscriber();
        await subscriber.SubscribeAsync(RedisChannel.Literal("warm:" + Guid.NewGuid().ToString("N")), (_, _) => { });
        await server.KillAsync();
        try
        {
            // Once the client knows (a subscribe issued at the very moment of the crash fails with the socket instead).
            var watch = Stopwatch.StartNew();
            while (multiplexer.IsConnected && watch.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(20);
            }

            await Task.Delay(200);
            var channel = RedisChannel.Literal("down:" + Guid.NewGuid().ToString("N"));
            var subscribe = subscriber.SubscribeAsync(channel, (_, _) => { });
            await Task.WhenAny(subscribe, Task.Delay(TimeSpan.FromSeconds(3)));
            Assert.False(subscribe.IsCompleted, $"SUBSCRIBE while the server is down ended by itself ({subscribe.Status}); RedisBackplane's own bound may be unnecessary");

            // It ends later (succeeds on reconnect, or fails once the backlog's own, longer, timeout passes); observe it.
            await server.StartAsync();
            await Task.WhenAny(subscribe, Task.Delay(TimeSpan.FromSeconds(30)));
            Assert.True(subscribe.IsCompleted);
            _ = subscribe.Exception;
        }
        finally
        {
            await server.StartAsync();
        }
    }

    private static async Task EventuallyAsync(Func<Task> call)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await call();
                return;
            }
            catch (RedisException) when (watch.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(50);
            }
        }
    }
}
