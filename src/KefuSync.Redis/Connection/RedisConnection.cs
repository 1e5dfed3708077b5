using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;
using StackExchange.Redis;

namespace KefuSync.Redis.Connection;

/// <summary>
/// The one multiplexer the Redis store and backplane share, plus the resilience pipelines every Redis call goes through.
/// </summary>
/// <remarks>
/// <para>Timeouts are StackExchange.Redis's own: KefuSync sets <c>AsyncTimeout</c> to 40% of
/// <see cref="KefuSyncRedisOptions.OperationTimeout"/> and the heartbeat (which is when the client notices an overdue reply)
/// to 10% of it, so that one attempt plus its retry fits the budget. A frozen server (SIGSTOP, a stalled network) then
/// fails a call with <see cref="RedisTimeoutException"/> instead of hanging it. Redis tasks cannot be cancelled, so the
/// outer Polly timeout only stops further retries; the budget holds because each attempt is bounded by the client itself.
/// (StackExchange.Redis 1.2.6, which this package used before, never timed out an async call, and every call had to be
/// abandoned with <c>Task.WaitAsync</c>.)</para>
/// <para>Polly still adds what the client does not: a retry with jitter for calls that are safe to repeat (the append
/// script is, thanks to its client op id; StackExchange.Redis would not retry a script), and a circuit breaker that fails
/// fast while Redis is gone instead of queueing every call for its whole timeout.</para>
/// </remarks>
internal sealed partial class RedisConnection : IAsyncDisposable
{
    private readonly KefuSyncRedisOptions _options;
    private readonly ILogger<RedisConnection> _logger;
    private readonly Lock _gate = new();
    private Task<IConnectionMultiplexer>? _connectTask;
    private bool _ownsMultiplexer;
    private int _topology; // 0 = not known yet, 1 = standalone (or replicas/sentinel), 2 = cluster
    private bool _disposed;

    public RedisConnection(IOptions<KefuSyncRedisOptions> options, ILogger<RedisConnection> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options.Value;
        _logger = logger;
        KeyPrefix = _options.KeyPrefix;
        Idempotent = BuildPipeline(retry: true);
        NonIdempotent = BuildPipeline(retry: false);
    }

    /// <summary>The validated key prefix; the backplane channel is built from it too.</summary>
    public string KeyPrefix { get; }

    public TimeSpan OperationTimeout => _options.OperationTimeout;

    /// <summary>Budget timeout, retry with jitter, circuit breaker: for calls that are safe to repeat.</summary>
    public ResiliencePipeline Idempotent { get; }

    /// <summary>Budget timeout and circuit breaker, no retry: for calls whose repetition would be visible (publish).</summary>
    public ResiliencePipeline NonIdempotent { get; }

    /// <summary>Raised when StackExchange.Redis restored a physical connection (after an outage or a server restart).</summary>
    public event Action<ConnectionType>? ConnectionRestored;

    /// <summary>Raised when StackExchange.Redis lost a physical connection (a server died, froze or failed over).</summary>
    public event Action<ConnectionType>? ConnectionFailed;


    /// <summary>Runs <paramref name="operation"/> against the database through <paramref name="pipeline"/>.</summary>
    public ValueTask<T> ExecuteAsync<T>(ResiliencePipeline pipeline, Func<IConnectionMultiplexer, Task<T>> operation, CancellationToken cancellationToken)
    {
        // One closure-free state tuple per call; the callback is static so no delegate is allocated per attempt.
        return pipeline.ExecuteAsync(
            static async (state, token) =>
            {
                var multiplexer = await state.Self.GetMultiplexerAsync(token).ConfigureAwait(false);
                // No WaitAsync: the client's AsyncTimeout ends a call whose reply does not come (see the remarks).
                return await state.Operation(multiplexer).ConfigureAwait(false);
            },
            (Self: this, Operation: operation),
            cancellationToken);
    }

    /// <summary>
    /// Whether the deployment is a Redis Cluster. Decided once, from a connected server, and then fixed for the life of
    /// this connection: every node of a site must pick the same pub/sub layout, so the answer never depends on which
    /// servers happened to be reachable at startup. Throws <see cref="RedisConnectionException"/> while no server is
    /// connected (callers retry, as for any Redis call).
    /// </summary>
    public async ValueTask<bool> IsClusterAsync(CancellationToken cancellationToken)
    {
        var topology = Volatile.Read(ref _topology);
        if (topology != 0)
        {
            return topology == 2;
        }

        var multiplexer = await GetMultiplexerAsync(cancellationToken).ConfigureAwait(false);
        var connected = multiplexer.GetServers().Where(server => server.IsConnected).ToList();
        if (connected.Count == 0)
        {
            throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, CommandFlags.None, "No Redis server is connected yet; the pub/sub layout is decided once one is.", null, CommandStatus.Unknown);
        }

        var cluster = connected.Any(server => server.ServerType == ServerType.Cluster);
        Interlocked.CompareExchange(ref _topology, cluster ? 2 : 1, 0);
        return Volatile.Read(ref _topology) == 2;
    }

    /// <summary>
    /// The database, for the one synchronous caller: ASP.NET Core Data Protection's key repository, whose API is
    /// synchronous and which reads the key ring at startup and about once a day. Waits for the first connect if needed.
    /// </summary>
    public IDatabase GetDatabase() => GetMultiplexerAsync(CancellationToken.None).GetAwaiter().GetResult().GetDatabase();

    /// <summary>The shared multiplexer, connecting on first use. A failed connect is retried by the next call.</summary>
    public Task<IConnectionMultiplexer> GetMultiplexerAsync(CancellationToken cancellationToken)
    {
        var task = Volatile.Read(ref _connectTask);
        if (task is null || task.IsFaulted || task.IsCanceled)
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                task = _connectTask;
                if (task is null || task.IsFaulted || task.IsCanceled)
                {
                    // The connect itself is not tied to any caller's token: a caller that times out must not abandon a
                    // half-made multiplexer (it would leak), the next caller simply awaits the same task.
                    task = ConnectAndAttachAsync();
                    Volatile.Write(ref _connectTask, task);
                }
            }
        }

        return task.IsCompletedSuccessfully ? task : task.WaitAsync(cancellationToken);
    }

    private async Task<IConnectionMultiplexer> ConnectAndAttachAsync()
    {
        var multiplexer = await ConnectAsync().ConfigureAwait(false);
        multiplexer.ConnectionFailed += OnConnectionFailed;
        multiplexer.ConnectionRestored += OnConnectionRestored;
        return multiplexer;
    }

    private async Task<IConnectionMultiplexer> ConnectAsync()
    {
        using var log = new StringWriter();
        try
        {
            if (_options.ConnectionFactory is { } factory)
            {
                Log.ConnectingWithFactory(_logger);
                var external = await factory(log).ConfigureAwait(false)
                    ?? throw new InvalidOperationException("KefuSyncRedisOptions.ConnectionFactory returned null: return a connected IConnectionMultiplexer.");
                _ownsMultiplexer = false;
                return external;
            }

            var configuration = ConfigurationOptions.Parse(_options.Configuration);
            // A node must start (and keep serving its own clients) while Redis is down; the client connects when it can.
            configuration.AbortOnConnectFail = false;
            var budgetMs = (int)_options.OperationTimeout.TotalMilliseconds;
            if (!Mentions(_options.Configuration, "connectTimeout"))
            {
                configuration.ConnectTimeout = Math.Min(configuration.ConnectTimeout, budgetMs);
            }

            if (!Mentions(_options.Configuration, "syncTimeout"))
            {
                // Only the Data Protection key repository makes synchronous calls.
                configuration.SyncTimeout = Math.Min(configuration.SyncTimeout, budgetMs);
            }

            if (!Mentions(_options.Configuration, "asyncTimeout"))
            {
                configuration.AsyncTimeout = (int)AttemptTimeout.TotalMilliseconds;
            }

            // 3.x's default reconnect backoff took 2-3 s after a restart here; a node is deaf to other nodes meanwhile.
            configuration.ReconnectRetryPolicy = new ExponentialRetry(deltaBackOffMilliseconds: 50, maxDeltaBackOffMilliseconds: 2000);

            // The client checks for overdue replies on each heartbeat (1 s by default), so a timeout fires up to one
            // heartbeat late; a tenth of the budget keeps an attempt and its retry inside OperationTimeout.
            configuration.HeartbeatInterval = TimeSpan.FromMilliseconds(Math.Clamp(budgetMs / 10, 10, 1000));

            Log.Connecting(_logger, string.Join(",", configuration.EndPoints.Select(e => e.ToString())));
            var multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration, log).ConfigureAwait(false);
            _ownsMultiplexer = true;
            return multiplexer;
        }
        finally
        {
            Log.ConnectionLog(_logger, log.ToString());
        }

        static bool Mentions(string configuration, string setting) =>
            configuration.Contains(setting + "=", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>StackExchange.Redis's AsyncTimeout for one attempt (when KefuSync makes the connection).</summary>
    internal TimeSpan AttemptTimeout => _options.OperationTimeout * 0.4;

    /// <summary>
    /// Failures worth another attempt: the connection dropped or timed out, or a cluster is between owners of a slot
    /// (failover in progress: CLUSTERDOWN, TRYAGAIN, a demoted primary answering READONLY, a replica still LOADING).
    /// </summary>
    internal static bool IsTransient(Exception exception) => exception switch
    {
        RedisConnectionException or RedisTimeoutException or TimeoutRejectedException or RedisReplicationException => true,
        RedisServerException server => server.Message.StartsWith("CLUSTERDOWN", StringComparison.Ordinal)
            || server.Message.StartsWith("TRYAGAIN", StringComparison.Ordinal)
            || server.Message.StartsWith("READONLY", StringComparison.Ordinal)
            || server.Message.StartsWith("LOADING", StringComparison.Ordinal)
            || server.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal),
        _ => false,
    };

    private ResiliencePipeline BuildPipeline(bool retry)
    {
        var total = _options.OperationTimeout;
        var transient = new PredicateBuilder().Handle<Exception>(IsTransient);

        var builder = new ResiliencePipelineBuilder();

        // Outermost: no retry starts after OperationTimeout. (An attempt in flight ends by itself, by AsyncTimeout.)
        builder.AddTimeout(total);

        if (retry)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = transient,
                MaxRetryAttempts = 3,
                Delay = TimeSpan.FromMilliseconds(40),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args =>
                {
                    Log.Retrying(_logger, args.AttemptNumber + 1, args.Outcome.Exception);
                    return default;
                },
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            ShouldHandle = transient,
            FailureRatio = 0.5,
            MinimumThroughput = 10,
            SamplingDuration = TimeSpan.FromSeconds(10),
            // Short: Redis restarts in about a second, and a node that waits longer serves stale reads for nothing.
            BreakDuration = TimeSpan.FromSeconds(1),
            OnOpened = args =>
            {
                Log.CircuitOpened(_logger, args.BreakDuration, args.Outcome.Exception);
                return default;
            },
            OnClosed = _ =>
            {
                Log.CircuitClosed(_logger);
                return default;
            },
        });

        return builder.Build();
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        Log.ConnectionFailed(_logger, e.ConnectionType, e.EndPoint?.ToString() ?? "?", e.FailureType, e.Exception);
        ConnectionFailed?.Invoke(e.ConnectionType);
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        Log.ConnectionRestored(_logger, e.ConnectionType, e.EndPoint?.ToString() ?? "?");
        ConnectionRestored?.Invoke(e.ConnectionType);
    }

    public async ValueTask DisposeAsync()
    {
        Task<IConnectionMultiplexer>? task;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            task = _connectTask;
        }

        if (task is null)
        {
            return;
        }

        IConnectionMultiplexer multiplexer;
        try
        {
            multiplexer = await task.ConfigureAwait(false);
        }
        catch (Exception)
        {
            return; // never connected: nothing to close
        }

        multiplexer.ConnectionFailed -= OnConnectionFailed;
        multiplexer.ConnectionRestored -= OnConnectionRestored;
        if (_ownsMultiplexer)
        {
            // Close(false): do not wait for pending replies. Still bounded: closing is not a command, no AsyncTimeout ends it,
            // and a node of a cluster that was killed or failed over must not make the host's shutdown hang.
            try
            {
                await multiplexer.CloseAsync(allowCommandsToComplete: false).WaitAsync(OperationTimeout).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // Closing a dead connection can fail; Dispose below releases the sockets either way.
            }

            multiplexer.Dispose();
        }
    }
}
