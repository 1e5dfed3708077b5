using System.Text;
using System.Threading.Channels;
using KefuSync.Backplane;
using Xunit;

namespace KefuSync.Testing;

/// <summary>
/// The specification of <see cref="IBackplane"/>: every backplane inherits this class and must pass every test, unchanged.
/// It is the executable form of the rules in the remarks of <see cref="IBackplane"/>.
/// </summary>
/// <remarks>
/// <para><b>Writing a backplane.</b> Derive a test class and implement <see cref="CreateNodesAsync"/>: it returns backplane
/// instances that share one transport, as separate server nodes would (e.g. two instances over separate connections to
/// the same Redis, with the same prefix). A single-node transport returns the same instance for every node. Tests must not
/// see each other's messages: isolate each call (a fresh prefix, a fresh instance), since messages carry no test id.</para>
/// <para>What the tests demand: a subscription is live when <see cref="IBackplane.SubscribeAsync"/> returns; every subscriber
/// on every node, the publisher's included, receives every message; one publisher's messages on one channel arrive in publish order;
/// kind, channel, revision, source node and payload bytes arrive unchanged; a throwing handler affects nobody else; and
/// disposing a subscription stops its deliveries. <see cref="BackplaneMessageKind.Reconnected"/> messages a transport raises
/// after an outage are ignored here (fault tests cover them).</para>
/// </remarks>
public abstract class BackplaneSpecification : IAsyncLifetime
{
    private readonly List<IBackplane> _created = [];

    /// <summary>Creates the specification; a derived class provides the nodes (<see cref="CreateNodesAsync"/>).</summary>
    protected BackplaneSpecification()
    {
    }

    /// <summary>How long a test waits for a message before failing.</summary>
    // Generous: a test waits for this only when delivery is broken, and CI machines can be briefly starved.
    protected virtual TimeSpan DeliveryTimeout => TimeSpan.FromSeconds(15);

    /// <summary>Creates <paramref name="count"/> nodes on one shared transport, isolated from other tests.</summary>
    protected abstract Task<IReadOnlyList<IBackplane>> CreateNodesAsync(int count);

    /// <summary>Releases the nodes of one test; disposes those that are <see cref="IAsyncDisposable"/> by default.</summary>
    protected virtual async Task DisposeNodesAsync(IReadOnlyList<IBackplane> nodes)
    {
        foreach (var node in nodes.Distinct())
        {
            if (node is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
        }
    }

    /// <inheritdoc />
    public Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public Task DisposeAsync() => DisposeNodesAsync(_created);

    private async Task<IReadOnlyList<IBackplane>> NodesAsync(int count)
    {
        var nodes = await CreateNodesAsync(count);
        Assert.Equal(count, nodes.Count);
        _created.AddRange(nodes);
        return nodes;
    }

    /// <summary>An op announcement with a recognisable payload.</summary>
    protected static BackplaneMessage Op(string channel, long revision, string source = "node-a", string? json = null) =>
        new(BackplaneMessageKind.Op, channel, revision, source, Encoding.UTF8.GetBytes(json ?? $"{{\"t\":\"op\",\"rev\":{revision}}}"));

    /// <summary>Every subscriber on every node, the publishing node's own included, receives each message.</summary>
    [Fact]
    public async Task Publish_ReachesEverySubscriber_OnEveryNode_IncludingThePublisher()
    {
        var nodes = await NodesAsync(2);
        var a1 = await Inbox.SubscribeAsync(nodes[0]);
        var a2 = await Inbox.SubscribeAsync(nodes[0]);
        var b1 = await Inbox.SubscribeAsync(nodes[1]);

        await nodes[0].PublishAsync(Op("room:1", 1, "node-a"));
        await nodes[1].PublishAsync(Op("room:1", 2, "node-b"));

        foreach (var inbox in new[] { a1, a2, b1 })
        {
            var received = await inbox.WaitForAsync(2, DeliveryTimeout);
            Assert.Equal(["node-a", "node-b"], received.Select(m => m.SourceNode).Order());
        }
    }

    /// <summary>One publisher's messages on one channel arrive in publish order, locally and remotely.</summary>
    [Fact]
    public async Task Messages_FromOnePublisherOnOneChannel_ArriveInPublishOrder()
    {
        var nodes = await NodesAsync(2);
        var local = await Inbox.SubscribeAsync(nodes[0]);
        var remote = await Inbox.SubscribeAsync(nodes[1]);
        const int count = 300;

        for (var revision = 1; revision <= count; revision++)
        {
            await nodes[0].PublishAsync(Op("doc:ordered", revision));
        }

        foreach (var inbox in new[] { local, remote })
        {
            var received = await inbox.WaitForAsync(count, DeliveryTimeout);
            Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), received.Select(m => m.Revision));
        }
    }

    /// <summary>Two nodes publishing at once: each publisher's messages keep their own order.</summary>
    [Fact]
    public async Task Messages_FromConcurrentPublishers_EachKeepTheirOrder()
    {
        var nodes = await NodesAsync(2);
        var inbox = await Inbox.SubscribeAsync(nodes[1]);
        const int perChannel = 100;

        await Task.WhenAll(
            Task.Run(async () => { for (var r = 1; r <= perChannel; r++) { await nodes[0].PublishAsync(Op("ch:a", r, "node-a")); } }),
            Task.Run(async () => { for (var r = 1; r <= perChannel; r++) { await nodes[1].PublishAsync(Op("ch:b", r, "node-b")); } }));

        var received = await inbox.WaitForAsync(2 * perChannel, DeliveryTimeout);
        foreach (var channel in new[] { "ch:a", "ch:b" })
        {
            Assert.Equal(Enumerable.Range(1, perChannel).Select(i => (long)i), received.Where(m => m.Channel == channel).Select(m => m.Revision));
        }
    }

    /// <summary>Kind, channel, revision, source node and payload bytes (every byte value, large and empty) arrive unchanged.</summary>
    [Fact]
    public async Task Message_ArrivesUnchanged_KindChannelRevisionSourceAndPayloadBytes()
    {
        var nodes = await NodesAsync(2);
        var inbox = await Inbox.SubscribeAsync(nodes[1]);
        var everyByte = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var large = new byte[128 * 1024];
        new Random(7).NextBytes(large);
        BackplaneMessage[] sent =
        [
            new(BackplaneMessageKind.Op, "conv:Az09:_.-x", 42, "node-α", Encoding.UTF8.GetBytes("{\"t\":\"op\",\"text\":\"你好 👋\"}")),
            new(BackplaneMessageKind.Presence, "doc:7", 0, "node-b", everyByte),
            new(BackplaneMessageKind.Op, "doc:7", long.MaxValue, "n", large),
            new(BackplaneMessageKind.Presence, "", 0, "", ReadOnlyMemory<byte>.Empty),
        ];

        foreach (var message in sent)
        {
            await nodes[0].PublishAsync(message);
        }

        var received = await inbox.WaitForAsync(sent.Length, DeliveryTimeout);

        // Order is promised per channel only (rule 2), so a partitioned transport (e.g. sharded pub/sub on a cluster)
        // may interleave channels: compare each channel's messages in publish order.
        foreach (var channel in sent.Select(m => m.Channel).Distinct())
        {
            var expected = sent.Where(m => m.Channel == channel).ToArray();
            var actual = received.Where(m => m.Channel == channel).ToArray();
            Assert.Equal(expected.Length, actual.Length);
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.Equal(expected[i].Kind, actual[i].Kind);
                Assert.Equal(expected[i].Revision, actual[i].Revision);
                Assert.Equal(expected[i].SourceNode, actual[i].SourceNode);
                Assert.Equal(expected[i].Payload.ToArray(), actual[i].Payload.ToArray());
            }
        }
    }

    /// <summary>A handler that throws or returns a faulted task affects neither other handlers nor later messages.</summary>
    [Fact]
    public async Task ThrowingHandler_DoesNotStopOtherHandlers_OrLaterMessages()
    {
        var nodes = await NodesAsync(1);
        var calls = 0;
        await using var throwing = await nodes[0].SubscribeAsync(_ =>
        {
            Interlocked.Increment(ref calls);
            throw new InvalidOperationException("handler failure (expected by the test)");
        });
        await using var faulted = await nodes[0].SubscribeAsync(_ => Task.FromException(new InvalidOperationException("faulted task (expected)")));
        var healthy = await Inbox.SubscribeAsync(nodes[0]);

        for (var revision = 1; revision <= 3; revision++)
        {
            await nodes[0].PublishAsync(Op("room:faulty", revision));
        }

        var received = await healthy.WaitForAsync(3, DeliveryTimeout);
        Assert.Equal([1L, 2L, 3L], received.Select(m => m.Revision));
        Assert.Equal(3, Volatile.Read(ref calls));
    }

    /// <summary>Disposing a subscription stops its deliveries, and only its own.</summary>
    [Fact]
    public async Task DisposedSubscription_StopsDelivery()
    {
        var nodes = await NodesAsync(2);
        var stays = await Inbox.SubscribeAsync(nodes[0]);
        var leaves = await Inbox.SubscribeAsync(nodes[0]);

        await nodes[1].PublishAsync(Op("room:leave", 1));
        await leaves.WaitForAsync(1, DeliveryTimeout);
        await leaves.DisposeAsync();

        await nodes[1].PublishAsync(Op("room:leave", 2));
        await nodes[1].PublishAsync(Op("room:leave", 3));
        // Once the subscriber that stayed has both later messages, the one that left would have had them too.
        await stays.WaitForAsync(3, DeliveryTimeout);
        Assert.Equal([1L], leaves.Received.Select(m => m.Revision));
    }

    /// <summary>A message published right after <see cref="IBackplane.SubscribeAsync"/> returns is delivered.</summary>
    [Fact]
    public async Task SubscriptionIsLive_AsSoonAsSubscribeAsyncReturns()
    {
        var nodes = await NodesAsync(2);
        for (var i = 0; i < 5; i++)
        {
            var inbox = await Inbox.SubscribeAsync(nodes[1]);
            await nodes[0].PublishAsync(Op("room:fresh", i + 1));
            var received = await inbox.WaitForAsync(1, DeliveryTimeout);
            Assert.Equal(i + 1, received[0].Revision);
            await inbox.DisposeAsync();
        }
    }

    /// <summary>Collects what one subscription receives (ignoring <see cref="BackplaneMessageKind.Reconnected"/>).</summary>
    protected sealed class Inbox : IAsyncDisposable
    {
        private readonly Lock _gate = new();
        private readonly List<BackplaneMessage> _received = [];
        private readonly Channel<bool> _signal = Channel.CreateUnbounded<bool>();
        private IAsyncDisposable? _subscription;

        private Inbox()
        {
        }

        /// <summary>A snapshot of what arrived so far, in arrival order.</summary>
        public IReadOnlyList<BackplaneMessage> Received
        {
            get
            {
                lock (_gate)
                {
                    return [.. _received];
                }
            }
        }

        /// <summary>Subscribes a new inbox to <paramref name="backplane"/>.</summary>
        public static async Task<Inbox> SubscribeAsync(IBackplane backplane)
        {
            var inbox = new Inbox();
            inbox._subscription = await backplane.SubscribeAsync(inbox.OnMessage);
            return inbox;
        }

        /// <summary>Waits until at least <paramref name="count"/> messages arrived; fails after <paramref name="timeout"/>.</summary>
        public async Task<IReadOnlyList<BackplaneMessage>> WaitForAsync(int count, TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            while (true)
            {
                var received = Received;
                if (received.Count >= count)
                {
                    return received;
                }

                try
                {
                    await _signal.Reader.ReadAsync(cts.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new Xunit.Sdk.XunitException($"Expected {count} messages within {timeout}, got {Received.Count}.");
                }
            }
        }

        private Task OnMessage(BackplaneMessage message)
        {
            if (message.Kind == BackplaneMessageKind.Reconnected)
            {
                return Task.CompletedTask;
            }

            // Copy the payload: a transport may reuse its buffer once the handler returns.
            var copy = message with { Payload = message.Payload.ToArray() };
            lock (_gate)
            {
                _received.Add(copy);
            }

            _signal.Writer.TryWrite(true);
            return Task.CompletedTask;
        }

        /// <inheritdoc />
        public ValueTask DisposeAsync() => _subscription?.DisposeAsync() ?? ValueTask.CompletedTask;
    }
}
