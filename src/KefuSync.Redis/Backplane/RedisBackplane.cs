using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using KefuSync.Backplane;
using KefuSync.Redis.Connection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace KefuSync.Redis.Backplane;

/// <summary>
/// The multi-node backplane: one Redis pub/sub channel, <c>{KeyPrefix}backplane</c>, carrying <see cref="BackplaneEnvelope"/>s.
/// </summary>
/// <remarks>
/// <para>The channel name is built here from <see cref="KefuSyncRedisOptions.KeyPrefix"/>, never from the multiplexer's own
/// <c>ChannelPrefix</c>, so the prefix holds however the connection was made (SignalR ignored it with a factory, aspnetcore #42942).</para>
/// <para>This node receives its own publications through Redis like any other node, so one order holds for all of them.
/// Received messages go through one queue and one dispatch loop: handlers run one at a time, in arrival order, and a
/// handler that throws is logged and skipped. Pub/sub loses what is published while the connection is down; when the
/// subscription connection comes back, the backplane proves the subscription is live again (it publishes a probe and waits
/// for it to come back, <c>ProveLiveAsync</c>, the same proof the first subscribe waits for) and then queues a <see cref="BackplaneMessageKind.Reconnected"/> message, so that the store read it
/// triggers covers everything missed.</para>
/// </remarks>
internal sealed partial class RedisBackplane : IBackplane, IAsyncDisposable
{
    private readonly RedisConnection _connection;
    private readonly ILogger<RedisBackplane> _logger;
    private readonly RedisChannel _channel;
    private readonly string _nodeId = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
    private readonly Channel<BackplaneMessage> _queue = Channel.CreateUnbounded<BackplaneMessage>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = false });
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _probes = new();
    private readonly CancellationTokenSource _disposing = new();
    private readonly Lock _gate = new();
    private readonly Task _dispatchLoop;
    private Func<BackplaneMessage, Task>[] _handlers = [];
    private Task? _subscribeTask;
    private Action<RedisChannel, RedisValue>? _activeRedisHandler;
    private int _repairing;

    public RedisBackplane(RedisConnection connection, ILogger<RedisBackplane> logger)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(logger);
        _connection = connection;
        _logger = logger;
        _channel = new RedisChannel(connection.KeyPrefix + "backplane", RedisChannel.PatternMode.Literal);
        _connection.ConnectionRestored += OnConnectionRestored;
        _dispatchLoop = Task.Run(DispatchAsync);
    }

    /// <summary>The Redis channel name, for diagnostics and tests.</summary>
    internal string ChannelName => _channel.ToString();

    public async Task PublishAsync(BackplaneMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var bytes = BackplaneEnvelope.Encode(message);
        // No retry: a publish that timed out may still go out, and repeating it would deliver twice. Receivers cope with
        // duplicates (they dedupe by revision), but there is no reason to make them; a failed publish is repaired by the store.
        await _connection.ExecuteAsync(
            _connection.NonIdempotent,
            m => m.GetSubscriber().PublishAsync(_channel, bytes),
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
        // Retrying is safe because each attempt registers a fresh delegate and only the newest one delivers: an attempt
        // that timed out but still reaches Redis later leaves an inert registration, never a second delivery.
        await _connection.ExecuteAsync(
            _connection.Idempotent,
            async m =>
            {
                Action<RedisChannel, RedisValue>? redisHandler = null;
                redisHandler = (_, value) =>
                {
                    if (ReferenceEquals(Volatile.Read(ref _activeRedisHandler), redisHandler))
                    {
                        OnRedisMessage(value);
                    }
                };
                Volatile.Write(ref _activeRedisHandler, redisHandler);
                await m.GetSubscriber().SubscribeAsync(_channel, redisHandler).ConfigureAwait(false);
                return true;
            },
            _disposing.Token).ConfigureAwait(false);

        // A completed SUBSCRIBE task does not mean Redis has processed it: StackExchange.Redis 1.2.6 completes the call at
        // once when the channel already has a local registration (a retried attempt, whose first SUBSCRIBE is still queued)
        // or when no subscription connection is up yet (it subscribes later, on connect). Messages published in that gap are
        // lost, which broke the contract rule "live when SubscribeAsync returns" on a loaded machine. So prove it: publish a
        // probe and wait for it to come back through this very registration.
        await ProveLiveAsync().ConfigureAwait(false);
        Log.Subscribed(_logger, _channel.ToString());
    }

    /// <summary>
    /// Publishes probes until one comes back through the active registration; throws <see cref="TimeoutException"/> after
    /// three operation timeouts.
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
                    $"The Redis subscription to '{_channel}' did not deliver a probe within {budget.TotalSeconds:0.#} s; check that Redis is reachable. The next subscribe retries.");
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

    private void OnRedisMessage(RedisValue value)
    {
        if (!BackplaneEnvelope.TryDecode((byte[]?)value, out var message))
        {
            Log.InvalidMessage(_logger, _channel.ToString());
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

        _queue.Writer.TryWrite(message);
    }

    private async Task DispatchAsync()
    {
        await foreach (var message in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
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
    }

    private void OnConnectionRestored(ConnectionType connectionType)
    {
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
            // Until the subscription is proven live: StackExchange.Redis re-subscribes by itself after a reconnect, so the
            // first round only proves it; later rounds subscribe again (a fresh registration, proven the same way). Right
            // after a restart the circuit breaker may still be open, so a round can fail; giving up would leave this node
            // deaf to every later op, so keep going (paced) until live or disposed.
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
        _queue.Writer.TryWrite(new BackplaneMessage(BackplaneMessageKind.Reconnected, "", 0, _nodeId, ReadOnlyMemory<byte>.Empty));
    }

    /// <summary>Publishes a probe and waits up to <paramref name="wait"/> for it to come back; false if it did not.</summary>
    private async Task<bool> ProbeAsync(TimeSpan wait)
    {
        var nonce = Guid.NewGuid();
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _probes[nonce] = arrived;
        try
        {
            var probe = new BackplaneMessage(BackplaneEnvelope.ProbeKind, "", 0, _nodeId, nonce.ToByteArray());
            var bytes = BackplaneEnvelope.Encode(probe);
            await _connection.ExecuteAsync(_connection.NonIdempotent, m => m.GetSubscriber().PublishAsync(_channel, bytes), _disposing.Token)
                .ConfigureAwait(false);
            await arrived.Task.WaitAsync(wait, _disposing.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (!_disposing.IsCancellationRequested)
        {
            Log.ProbeFailed(_logger, ex);
            return false;
        }
        finally
        {
            _probes.TryRemove(nonce, out _);
        }
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
        _connection.ConnectionRestored -= OnConnectionRestored;
        var redisHandler = Interlocked.Exchange(ref _activeRedisHandler, null);
        Task? subscribed;
        lock (_gate)
        {
            _handlers = [];
            subscribed = _subscribeTask;
        }

        if (redisHandler is not null && subscribed is { IsCompletedSuccessfully: true })
        {
            // Best effort: with a host-owned multiplexer the registration would otherwise outlive us (it is inert anyway,
            // because only the active handler delivers).
            try
            {
                var multiplexer = await _connection.GetMultiplexerAsync(CancellationToken.None).ConfigureAwait(false);
                await multiplexer.GetSubscriber().UnsubscribeAsync(_channel, redisHandler).WaitAsync(_connection.OperationTimeout).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                Log.UnsubscribeFailed(_logger, ex);
            }
        }

        _queue.Writer.TryComplete();
        await _dispatchLoop.ConfigureAwait(false);
        _disposing.Dispose();
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
