using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using KefuSync.Backplane;
using KefuSync.Redis.Backplane;
using KefuSync.Stores.Tests.Providers;
using KefuSync.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Stores.Tests.Redis;

/// <summary>
/// The backplane's bounded receive queue: a node whose handlers fall behind holds at most
/// <c>BackplaneReceiveQueueBytes</c>, counts what it drops, and raises a repair signal for every channel that lost a message,
/// after the loss, so that the node re-reads it from the store.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisBackplaneQueueTests(RedisServerFixture server) : IAsyncLifetime
{
    private const int QueueLimit = 16 * 1024;
    private readonly List<ServiceProvider> _providers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }
    }

    private (RedisBackplane Publisher, RedisBackplane Receiver) Nodes(int receiverQueueBytes)
    {
        var prefix = TestHosts.UniquePrefix();
        var publisher = TestHosts.Redis(o => { o.Configuration = server.Configuration; o.KeyPrefix = prefix; }, backplaneOnly: true);
        var receiver = TestHosts.Redis(o => { o.Configuration = server.Configuration; o.KeyPrefix = prefix; o.BackplaneReceiveQueueBytes = receiverQueueBytes; }, backplaneOnly: true);
        _providers.Add(publisher);
        _providers.Add(receiver);
        return ((RedisBackplane)publisher.GetRequiredService<IBackplane>(), (RedisBackplane)receiver.GetRequiredService<IBackplane>());
    }

    [Fact]
    public async Task Flood_WhileHandlersAreStalled_StaysWithinTheBound_AndEveryLostMessageIsFollowedByARepairOfItsChannel()
    {
        var (publisher, receiver) = Nodes(QueueLimit);
        using var dropped = new Counter(receiver, "kefusync.backplane.dropped");
        using var received = new Counter(receiver, "kefusync.backplane.received");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new ConcurrentQueue<BackplaneMessage>();
        await using var subscription = await receiver.SubscribeAsync(async message =>
        {
            log.Enqueue(message);
            await gate.Task;
        });

        const int channels = 40;
        const int perChannel = 50;
        var payload = Encoding.UTF8.GetBytes($"{{\"pad\":\"{new string('x', 500)}\"}}");
        for (var revision = 1; revision <= perChannel; revision++)
        {
            var publishes = new Task[channels];
            for (var c = 0; c < channels; c++)
            {
                publishes[c] = publisher.PublishAsync(new BackplaneMessage(BackplaneMessageKind.Op, $"flood:{c}", revision, "node-a", payload));
            }

            await Task.WhenAll(publishes);
        }

        // Every publication has reached the receiver (queued or dropped) before the handler runs again.
        await WaitUntilAsync(() => received.Value == channels * perChannel);
        Assert.True(dropped.Value > 0, "the flood never filled the queue, so this test proved nothing");
        var largest = BackplaneEnvelope.Encode(new BackplaneMessage(BackplaneMessageKind.Op, "flood:00", perChannel, "node-a", payload)).Length + 128;
        Assert.InRange(receiver.PeakQueuedBytes, 1, QueueLimit + largest);

        gate.SetResult();
        // Once the queue drains, every channel that lost a message must have been repaired; wait for that.
        string? problem = "not checked";
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(20) && (problem = Unrepaired(log.ToArray(), channels, perChannel)) is not null)
        {
            await Task.Delay(50);
        }

        Assert.Null(problem);
        Assert.Equal(channels * perChannel - dropped.Value, log.Count(e => e.Kind == BackplaneMessageKind.Op));
    }

    /// <summary>The first channel that lost an op and got no repair, or null.</summary>
    private static string? Unrepaired(BackplaneMessage[] events, int channels, int perChannel)
    {
        var repairedEverything = events.Any(e => e is { Kind: BackplaneMessageKind.Reconnected, Channel: "" });
        for (var c = 0; c < channels; c++)
        {
            var channel = $"flood:{c}";
            var lastRepair = -1;
            var positionOf = new Dictionary<long, int>();
            for (var i = 0; i < events.Length; i++)
            {
                if (events[i].Kind == BackplaneMessageKind.Op && events[i].Channel == channel)
                {
                    positionOf[events[i].Revision] = i;
                }
                else if (events[i] is { Kind: BackplaneMessageKind.Reconnected } repair && (repair.Channel == channel || repair.Channel.Length == 0))
                {
                    lastRepair = i;
                }
            }

            // Every drop happened while the handler was stalled (all messages had arrived before the gate opened), and
            // repairs are delivered by the same stalled loop, so any repair of the channel in the log came after its losses.
            var lostOne = Enumerable.Range(1, perChannel).FirstOrDefault(r => !positionOf.ContainsKey(r));
            if (lostOne > 0 && !repairedEverything && lastRepair < 0)
            {
                return $"{channel} lost revision {lostOne} and was never repaired";
            }
        }

        return null;
    }

    [Fact]
    public async Task Drops_OnMoreChannelsThanAreTracked_RaiseOneRepairOfEveryChannel()
    {
        var (publisher, receiver) = Nodes(1);
        using var dropped = new Counter(receiver, "kefusync.backplane.dropped");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new ConcurrentQueue<BackplaneMessage>();
        await using var subscription = await receiver.SubscribeAsync(async message =>
        {
            log.Enqueue(message);
            await gate.Task;
        });

        var channels = RedisBackplane.MaxTrackedDrops + 100;
        for (var start = 0; start < channels; start += 100)
        {
            await Task.WhenAll(Enumerable.Range(start, Math.Min(100, channels - start))
                .Select(c => publisher.PublishAsync(new BackplaneMessage(BackplaneMessageKind.Op, $"many:{c}", 1, "node-a", "{}"u8.ToArray()))));
        }

        await QuiesceAsync(() => dropped.Value);
        Assert.True(dropped.Value > RedisBackplane.MaxTrackedDrops, $"only {dropped.Value} dropped");
        gate.SetResult();
        await WaitUntilAsync(() => log.Any(e => e is { Kind: BackplaneMessageKind.Reconnected, Channel: "" }));
        Assert.DoesNotContain(log, e => e is { Kind: BackplaneMessageKind.Reconnected } && e.Channel.Length > 0);
    }

    /// <summary>Waits until <paramref name="value"/> has not changed for half a second (at most 30 s).</summary>
    private static async Task QuiesceAsync(Func<long> value)
    {
        var watch = Stopwatch.StartNew();
        var last = value();
        var stableSince = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(100);
            var now = value();
            if (now != last)
            {
                last = now;
                stableSince.Restart();
            }
            else if (stableSince.Elapsed > TimeSpan.FromMilliseconds(500))
            {
                return;
            }
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), "the condition never held");
            await Task.Delay(50);
        }
    }

    /// <summary>Reads one counter of one backplane's meter (other hosts in the process have their own).</summary>
    private sealed class Counter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _value;

        public Counter(RedisBackplane backplane, string name)
        {
            var meter = backplane.Metrics.Meter;
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, meter) && instrument.Name == name)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, measurement, _, _) => Interlocked.Add(ref _value, measurement));
            _listener.Start();
        }

        public long Value => Interlocked.Read(ref _value);

        public void Dispose() => _listener.Dispose();
    }
}
