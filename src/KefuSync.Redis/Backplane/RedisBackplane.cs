using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using KefuSync.Backplane;
using KefuSync.Redis.Connection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace KefuSync.Redis.Backplane;

/// <summary>
/// The multi-node backplane over Redis pub/sub, carrying <see cref="BackplaneEnvelope"/>s on the channels of
/// <see cref="BackplaneChannels"/> (one classic channel, or sharded partitions on a cluster).
/// </summary>
/// <remarks>
/// <para>The channel names are built here from <see cref="KefuSyncRedisOptions.KeyPrefix"/>, never from the multiplexer's
/// own <c>ChannelPrefix</c>, so the prefix holds however the connection was made (SignalR ignored it with a factory, aspnetcore #42942).</para>
/// <para>This node receives its own publications through Redis like any other node, so one order holds for all of them.
/// Received messages go through one queue and one dispatch loop: handlers run one at a time, in arrival order, and a
/// handler that throws is logged and skipped.</para>
/// <para><b>Bounded.</b> The queue holds at most <see cref="KefuSyncRedisOptions.BackplaneReceiveQueueBytes"/> (plus one
/// message, so that a message larger than the bound still passes an empty queue). Past that a message is dropped and
/// counted (<c>kefusync.backplane.dropped</c>), and its channel is remembered; a repair signal queued behind the messages
/// already waiting then raises <see cref="BackplaneMessageKind.Reconnected"/> for each such channel (or once for all of
/// them, beyond <see cref="MaxTrackedDrops"/> channels). The node re-reads those channels from the store, where every
/// announced op already is, so a dropped announcement is repaired even when no later op arrives on its channel.
/// Presence announcements are not tracked: each node re-announces its entries every heartbeat, well within one TTL.</para>
/// <para><b>Live when it returns.</b> With StackExchange.Redis 3.x a completed SUBSCRIBE means the server processed it
/// (1.2.6 could complete early, and every subscribe was proven with a probe; <c>RedisClientBehaviourTests</c> pins the 3.x
/// behaviour). SUBSCRIBE and UNSUBSCRIBE are the only calls still bounded here: issued while the subscription connection
/// is down, they wait in the client's backlog past <c>AsyncTimeout</c>. A lost or restored subscription connection is a
/// different matter: the client re-subscribes by itself (and moves sharded channels to a promoted replica), but nothing
/// tells when the server has processed that. So the backplane then publishes a probe on every channel it uses and waits
/// for each to come back through its own registration (<see cref="ProveLiveAsync"/>), subscribing afresh when the proof
/// fails, and only then queues <see cref="BackplaneMessageKind.Reconnected"/>, so the store read it triggers covers
/// everything missed.</para>
/// </remarks>
internal sealed partial class RedisBackplane : IBackplane, IAsyncDisposable
{
    /// <summary>Channels tracked one by one after drops; beyond this the repair covers every channel.</summary>
    internal const int MaxTrackedDrops = 1024;

    // What a queued message holds besides the received bytes: the record, two strings, the queue slot.
    private const int MessageOverheadBytes = 96;

    private readonly RedisConnection _connection;
    private readonly ILogger<RedisBackplane> _logger;
    private readonly BackplaneMetrics _metrics;
    private readonly long _queueLimit;
    private readonly string _nodeId = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
    // Unbounded as a channel, bounded in bytes by _queuedBytes: a count bound would let 64 KiB frames use 64x the memory.
    private readonly Channel<Received> _queue = Channel.CreateUnbounded<Received>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = false });
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _probes = new();
    private readonly CancellationTokenSource _disposing = new();
    private readonly Lock _gate = new();
    private readonly Lock _dropGate = new();
    private readonly Task _dispatchLoop;
    private HashSet<string> _droppedChannels = new(StringComparer.Ordinal);
    private bool _droppedAll;
    private bool _repairSignalQueued;
    private long _queuedBytes;
    private long _peakQueuedBytes;
    private BackplaneChannels? _channels;
    private Func<BackplaneMessage, Task>[] _handlers = [];
    private Task? _subscribeTask;
    private Registration? _active;
    private List<Registration> _stale = [];
    private int _repairing;

    public RedisBackplane(RedisConnection connection, IOptions<KefuSyncRedisOptions> options, BackplaneMetrics metrics, ILogger<RedisBackplane> logger)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        _connection = connection;
        _logger = logger;
        _metrics = metrics;
        _queueLimit = options.Value.BackplaneReceiveQueueBytes;
        _metrics.ObserveQueue(() => Volatile.Read(ref _queuedBytes));
        _connection.ConnectionRestored += OnConnectionChanged;
        _connection.ConnectionFailed += OnConnectionChanged;
        _dispatchLoop = Task.Run(DispatchAsync);
    }

    /// <summary>The Redis channel name of a standalone deployment, for diagnostics and tests.</summary>
    internal string ChannelName => BackplaneChannels.Standalone(_connection.KeyPrefix).All[0].ToString();

    /// <summary>The channels in use, once decided (null before the first publish or subscribe).</summary>
    internal BackplaneChannels? Channels => Volatile.Read(ref _channels);

    /// <summary>The most bytes ever queued at once, for tests of the bound.</summary>
    internal long PeakQueuedBytes => Interlocked.Read(ref _peakQueuedBytes);

    internal string NodeId => _nodeId;

    internal BackplaneMetrics Metrics => _metrics;

    public async Task PublishAsync(BackplaneMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var channels = await GetChannelsAsync(cancellationToken).ConfigureAwait(false);
        var target = channels.For(message.Channel);
        var bytes = BackplaneEnvelope.Encode(message);
        // No retry: a publish that timed out may still go out, and repeating it would deliver twice. Receivers cope with
        // duplicates (they dedupe by revision), but there is no reason to make them; a failed publish is repaired by the store.
        await _connection.ExecuteAsync(
            _connection.NonIdempotent,
            m => m.GetSubscriber().PublishAsync(target, bytes),
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<IAsyncDisposable> SubscribeAsync(Func<BackplaneMessage, Task> handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ObjectDisposedException.ThrowIf(_disposing.IsCancellationRequested, this);
        // The Redis subscription is live before the handler is added, so every message published after this returns reaches it.
        await EnsureSubscribedAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _handlers = [.. _handlers, handler];
        }

        return new Subscription(this, handler);
    }

    /// <summary>The pub/sub layout, decided once from the connected deployment (see <see cref="RedisConnection.IsClusterAsync"/>).</summary>
    private async ValueTask<BackplaneChannels> GetChannelsAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _channels) is { } known)
        {
            return known;
        }

        var cluster = await _connection.IsClusterAsync(cancellationToken).ConfigureAwait(false);
        var channels = cluster ? BackplaneChannels.Cluster(_connection.KeyPrefix) : BackplaneChannels.Standalone(_connection.KeyPrefix);
        return Interlocked.CompareExchange(ref _channels, channels, null) ?? channels;
    }

    private Task EnsureSubscribedAsync(CancellationToken cancellationToken)
    {
        Task task;
        lock (_gate)
        {
            task = _subscribeTask is { IsFaulted: false, IsCanceled: false } existing ? existing : (_subscribeTask = SubscribeToRedisAsync());
        }

        return task.IsCompletedSuccessfully ? task : task.WaitAsync(cancellationToken);
    }

    private async Task SubscribeToRedisAsync()
    {
        // One attempt, no Polly retry: a retried SUBSCRIBE would queue behind the first one (still pending in the client)
        // and gain nothing. The bound is three operation timeouts, because the first SUBSCRIBE also opens the subscription
        // connection (3.x opens it on first use); a failure is retryable and the caller retries (the core does, with backoff).
        // Each call makes a fresh registration and only the newest one delivers, so an abandoned attempt that still
        // completes later stays inert; inert ones are unsubscribed once a newer one succeeded.
        var multiplexer = await _connection.GetMultiplexerAsync(_disposing.Token).ConfigureAwait(false);
        var channels = await GetChannelsAsync(_disposing.Token).ConfigureAwait(false);
        var registration = new Registration();
        lock (_gate)
        {
            if (_active is { } previous)
            {
                _stale.Add(previous);
            }

            _active = registration;
        }

        var subscriber = multiplexer.GetSubscriber();
        var subscribes = new Task[channels.All.Length];
        for (var i = 0; i < subscribes.Length; i++)
        {
            subscribes[i] = SubscribeOneAsync(subscriber, channels.All[i], registration);
        }

        await Task.WhenAll(subscribes).WaitAsync(_connection.OperationTimeout * 3, _disposing.Token).ConfigureAwait(false);
        await UnsubscribeStaleAsync().ConfigureAwait(false);
        Log.Subscribed(_logger, string.Join(", ", channels.All.Select(c => c.ToString())));
    }

    private async Task SubscribeOneAsync(ISubscriber subscriber, RedisChannel channel, Registration registration)
    {
        // A message queue, not a handler delegate: StackExchange.Redis 2.x and 3.x run delegate handlers concurrently, which
        // reordered one publisher's messages on a cluster (seen: 44 after 46); a queue's OnMessage runs them one by one.
        var queue = await subscriber.SubscribeAsync(channel).ConfigureAwait(false);
        registration.Add(queue);
        queue.OnMessage(message =>
        {
            if (ReferenceEquals(Volatile.Read(ref _active), registration))
            {
                OnRedisMessage(message.Message);
            }
        });
    }

    /// <summary>
    /// An UNSUBSCRIBE, bounded by the attempt timeout: issued while the subscription connection is down, the client holds
    /// it in its backlog past AsyncTimeout (as it does a SUBSCRIBE, which <see cref="SubscribeToRedisAsync"/> bounds itself).
    /// </summary>
    private Task Bounded(Task pubSubCommand) => pubSubCommand.WaitAsync(_connection.AttemptTimeout);

    /// <summary>
    /// Publishes a probe on every channel in use until each comes back through the active registration; throws
    /// <see cref="TimeoutException"/> after three operation timeouts.
    /// </summary>
    private async Task ProveLiveAsync()
    {
        var budget = _connection.OperationTimeout * 3;
        var watch = Stopwatch.StartNew();
        // Short first waits: the probe usually returns within a millisecond, and a probe published before Redis processed
        // the SUBSCRIBE is simply lost, so waiting long for it only delays the next one.
        var wait = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            var attempt = Stopwatch.GetTimestamp();
            if (await ProbeAsync(wait).ConfigureAwait(false))
            {
                return;
            }

            if (watch.Elapsed >= budget)
            {
                throw new TimeoutException(
                    $"The Redis backplane subscription did not deliver its probes within {budget.TotalSeconds:0.#} s; check that Redis is reachable. The next subscribe retries.");
            }

            // A probe that failed at once (circuit open, connection still down) must not turn this into a busy loop.
            var rest = wait - Stopwatch.GetElapsedTime(attempt);
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest, _disposing.Token).ConfigureAwait(false);
            }

            wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, _connection.OperationTimeout.Ticks));
        }
    }

    /// <summary>Publishes one probe per channel in use and waits up to <paramref name="wait"/> for all of them; false if one did not come back.</summary>
    private async Task<bool> ProbeAsync(TimeSpan wait)
    {
        var nonces = new List<Guid>();
        try
        {
            var channels = await GetChannelsAsync(_disposing.Token).ConfigureAwait(false);
            var arrivals = new Task[channels.All.Length];
            var publishes = new Task[channels.All.Length];
            for (var i = 0; i < arrivals.Length; i++)
            {
                var nonce = Guid.NewGuid();
                var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _probes[nonce] = arrived;
                nonces.Add(nonce);
                arrivals[i] = arrived.Task;
                var target = channels.All[i];
                var bytes = BackplaneEnvelope.Encode(new BackplaneMessage(BackplaneEnvelope.ProbeKind, "", 0, _nodeId, nonce.ToByteArray()));
                publishes[i] = _connection.ExecuteAsync(_connection.NonIdempotent, m => m.GetSubscriber().PublishAsync(target, bytes), _disposing.Token).AsTask();
            }

            await Task.WhenAll(publishes).ConfigureAwait(false);
            await Task.WhenAll(arrivals).WaitAsync(wait, _disposing.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (!_disposing.IsCancellationRequested)
        {
            Log.ProbeFailed(_logger, ex);
            return false;
        }
        finally
        {
            foreach (var nonce in nonces)
            {
                _probes.TryRemove(nonce, out _);
            }
        }
    }

    private async Task UnsubscribeStaleAsync()
    {
        List<Registration> stale;
        lock (_gate)
        {
            if (_stale.Count == 0)
            {
                return;
            }

            stale = _stale;
            _stale = [];
        }

        // Best effort: an inert registration only costs a reference check per message, and the active one stays
        // subscribed, so no UNSUBSCRIBE reaches Redis for a channel in use.
        foreach (var registration in stale)
        {
            await registration.UnsubscribeAsync(this).ConfigureAwait(false);
        }
    }

    private void OnRedisMessage(RedisValue value)
    {
        var buffer = (byte[]?)value;
        if (!BackplaneEnvelope.TryDecode(buffer, out var message))
        {
            Log.InvalidMessage(_logger);
            return;
        }

        if (message.Kind == BackplaneEnvelope.ProbeKind)
        {
            if (message.SourceNode == _nodeId && message.Payload.Length == 16 && _probes.TryGetValue(new Guid(message.Payload.Span), out var probe))
            {
                probe.TrySetResult();
            }

            return;
        }

        _metrics.Received.Add(1);
        var size = buffer!.Length + MessageOverheadBytes;
        var queued = Interlocked.Add(ref _queuedBytes, size);
        if (queued > _queueLimit && queued != size)
        {
            Interlocked.Add(ref _queuedBytes, -size);
            Drop(message);
            return;
        }

        var peak = Interlocked.Read(ref _peakQueuedBytes);
        while (queued > peak)
        {
            var seen = Interlocked.CompareExchange(ref _peakQueuedBytes, queued, peak);
            if (seen == peak)
            {
                break;
            }

            peak = seen;
        }

        _queue.Writer.TryWrite(new Received(message, size));
    }

    private void Drop(BackplaneMessage message)
    {
        _metrics.Dropped.Add(1);
        bool signal;
        lock (_dropGate)
        {
            if (message.Kind == BackplaneMessageKind.Op && !_droppedAll)
            {
                if (_droppedChannels.Count >= MaxTrackedDrops && !_droppedChannels.Contains(message.Channel))
                {
                    _droppedAll = true;
                    _droppedChannels.Clear();
                }
                else
                {
                    _droppedChannels.Add(message.Channel);
                }
            }

            signal = !_repairSignalQueued && (_droppedAll || _droppedChannels.Count > 0);
            _repairSignalQueued |= signal;
        }

        if (signal)
        {
            // Once per episode: the signal waits behind what is already queued, and the drain it triggers is the repair.
            Log.QueueFull(_logger, _queueLimit);
            _queue.Writer.TryWrite(Received.RepairSignal);
        }
    }

    private async Task DispatchAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var item))
            {
                if (item.Message is null)
                {
                    await DeliverRepairsAsync().ConfigureAwait(false);
                    continue;
                }

                Interlocked.Add(ref _queuedBytes, -item.Size);
                await DeliverAsync(item.Message).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Raises <see cref="BackplaneMessageKind.Reconnected"/> for the channels whose messages were dropped since the last signal.</summary>
    private async Task DeliverRepairsAsync()
    {
        HashSet<string> channels;
        bool all;
        lock (_dropGate)
        {
            all = _droppedAll;
            channels = _droppedChannels;
            _droppedChannels = new HashSet<string>(StringComparer.Ordinal);
            _droppedAll = false;
            _repairSignalQueued = false;
        }

        if (all)
        {
            Log.RepairingDrops(_logger, -1);
            await DeliverAsync(new BackplaneMessage(BackplaneMessageKind.Reconnected, "", 0, _nodeId, ReadOnlyMemory<byte>.Empty)).ConfigureAwait(false);
            return;
        }

        Log.RepairingDrops(_logger, channels.Count);
        foreach (var channel in channels)
        {
            await DeliverAsync(new BackplaneMessage(BackplaneMessageKind.Reconnected, channel, 0, _nodeId, ReadOnlyMemory<byte>.Empty)).ConfigureAwait(false);
        }
    }

    private async Task DeliverAsync(BackplaneMessage message)
    {
        // Copy-on-write array: a stable snapshot without a lock; a handler removed meanwhile is not called again.
        foreach (var handler in Volatile.Read(ref _handlers))
        {
            try
            {
                await handler(message).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // Contract rule 4: one failing handler must not stop the others or later messages.
                Log.HandlerFailed(_logger, message.Kind, message.Channel, ex);
            }
        }
    }

    private void OnConnectionChanged(ConnectionType connectionType)
    {
        // Lost (a server died, froze, or its shard failed over) or restored: either way messages may have been missed, and
        // the subscription must be proven again. One repair at a time; it only ends once the subscription is live.
        if (connectionType != ConnectionType.Subscription || Volatile.Read(ref _subscribeTask) is null || _disposing.IsCancellationRequested)
        {
            return;
        }

        if (Interlocked.Exchange(ref _repairing, 1) == 0)
        {
            _ = Task.Run(RepairAsync);
        }
    }

    private async Task RepairAsync()
    {
        try
        {
            // Until the subscription is proven live: StackExchange.Redis re-subscribes by itself after a reconnect (and
            // moves sharded channels to a promoted replica), so the first round only proves it; later rounds subscribe
            // again (a fresh registration, proven the same way). Right after a restart the circuit breaker may still be
            // open, so a round can fail; giving up would leave this node deaf to every later op, so keep going (paced)
            // until live or disposed.
            for (var round = 1; ; round++)
            {
                try
                {
                    if (round == 1)
                    {
                        await ProveLiveAsync().ConfigureAwait(false);
                    }
                    else
                    {
                        Task resubscribe;
                        lock (_gate)
                        {
                            resubscribe = _subscribeTask = SubscribeToRedisAsync();
                        }

                        await resubscribe.ConfigureAwait(false);
                    }

                    break;
                }
                catch (Exception ex) when (!_disposing.IsCancellationRequested)
                {
                    Log.NotProvenLive(_logger, round, ex);
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(200 * round, 2000)), _disposing.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (_disposing.IsCancellationRequested)
        {
            return;
        }
        finally
        {
            Volatile.Write(ref _repairing, 0);
        }

        Log.RaisingReconnected(_logger);
        _queue.Writer.TryWrite(new Received(new BackplaneMessage(BackplaneMessageKind.Reconnected, "", 0, _nodeId, ReadOnlyMemory<byte>.Empty), 0));
    }

    private void Remove(Func<BackplaneMessage, Task> handler)
    {
        lock (_gate)
        {
            var index = Array.IndexOf(_handlers, handler);
            if (index >= 0)
            {
                _handlers = [.. _handlers.AsSpan(0, index), .. _handlers.AsSpan(index + 1)];
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposing.IsCancellationRequested)
        {
            return;
        }

        _disposing.Cancel();
        _connection.ConnectionRestored -= OnConnectionChanged;
        _connection.ConnectionFailed -= OnConnectionChanged;
        List<Registration> registrations;
        lock (_gate)
        {
            _handlers = [];
            registrations = _stale;
            _stale = [];
            if (Interlocked.Exchange(ref _active, null) is { } active)
            {
                registrations.Add(active);
            }
        }

        // Best effort: with a host-owned multiplexer the subscriptions would otherwise outlive us (they are inert anyway,
        // because none is the active registration any more).
        foreach (var registration in registrations)
        {
            await registration.UnsubscribeAsync(this).ConfigureAwait(false);
        }

        _queue.Writer.TryComplete();
        await _dispatchLoop.ConfigureAwait(false);
        _disposing.Dispose();
    }

    /// <summary>A queued message and the bytes it counts for; a null message is the repair signal.</summary>
    private readonly record struct Received(BackplaneMessage? Message, int Size)
    {
        public static Received RepairSignal => default;
    }

    /// <summary>The queues of one subscribe attempt (one per channel in use).</summary>
    private sealed class Registration
    {
        private readonly Lock _gate = new();
        private readonly List<ChannelMessageQueue> _queues = [];
        private bool _closed;

        public void Add(ChannelMessageQueue queue)
        {
            lock (_gate)
            {
                if (!_closed)
                {
                    _queues.Add(queue);
                    return;
                }
            }

            // A subscribe of an abandoned attempt that completed after its registration was retired.
            _ = queue.UnsubscribeAsync(CommandFlags.FireAndForget);
        }

        public async Task UnsubscribeAsync(RedisBackplane owner)
        {
            ChannelMessageQueue[] queues;
            lock (_gate)
            {
                queues = [.. _queues];
                _queues.Clear();
                _closed = true;
            }

            foreach (var queue in queues)
            {
                try
                {
                    await owner.Bounded(queue.UnsubscribeAsync()).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
                {
                    Log.UnsubscribeFailed(owner._logger, ex);
                }
            }
        }
    }

    private sealed class Subscription(RedisBackplane owner, Func<BackplaneMessage, Task> handler) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            owner.Remove(handler);
            return ValueTask.CompletedTask;
        }
    }
}
