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
/// StackExchange.Redis 1.2.6 async calls never time out: when the server hangs (SIGSTOP, a stalled network) the task stays
/// pending until the server answers. Every call therefore runs inside a Polly pipeline whose timeout cancels the token the
/// call waits on (<see cref="Task.WaitAsync(CancellationToken)"/>), so a caller gets a <see cref="TimeoutRejectedException"/>
/// within <see cref="KefuSyncRedisOptions.OperationTimeout"/> instead of hanging.
/// </remarks>
internal sealed partial class RedisConnection : IAsyncDisposable
{
    private readonly KefuSyncRedisOptions _options;
    private readonly ILogger<RedisConnection> _logger;
    private readonly Lock _gate = new();
    private Task<IConnectionMultiplexer>? _connectTask;
    private bool _ownsMultiplexer;
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

    /// <summary>Timeout, retry with jitter, circuit breaker: for calls that are safe to repeat.</summary>
    public ResiliencePipeline Idempotent { get; }

    /// <summary>Timeout and circuit breaker, no retry: for calls whose repetition would be visible (publish).</summary>
    public ResiliencePipeline NonIdempotent { get; }

    /// <summary>Raised when StackExchange.Redis restored a physical connection (after an outage or a server restart).</summary>
    public event Action<ConnectionType>? ConnectionRestored;

    /// <summary>Runs <paramref name="operation"/> against the database through <paramref name="pipeline"/>.</summary>
    public ValueTask<T> ExecuteAsync<T>(ResiliencePipeline pipeline, Func<IConnectionMultiplexer, Task<T>> operation, CancellationToken cancellationToken)
    {
        // One closure-free state tuple per call; the callback is static so no delegate is allocated per attempt.
        return pipeline.ExecuteAsync(
            static async (state, token) =>
            {
                var multiplexer = await state.Self.GetMultiplexerAsync(token).ConfigureAwait(false);
                // WaitAsync is what makes the Polly timeout effective: the Redis task itself cannot be cancelled.
                return await state.Operation(multiplexer).WaitAsync(token).ConfigureAwait(false);
            },
            (Self: this, Operation: operation),
            cancellationToken);
    }

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
            // Without this, 1.x throws from Connect when the server is down at startup and never retries.
            configuration.AbortOnConnectFail = false;
            var timeoutMs = (int)_options.OperationTimeout.TotalMilliseconds;
            if (!Mentions(_options.Configuration, "connectTimeout"))
            {
                configuration.ConnectTimeout = Math.Min(configuration.ConnectTimeout, timeoutMs);
            }

            if (!Mentions(_options.Configuration, "syncTimeout"))
            {
                configuration.SyncTimeout = Math.Min(configuration.SyncTimeout, timeoutMs);
            }

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

    private ResiliencePipeline BuildPipeline(bool retry)
    {
        var total = _options.OperationTimeout;
        var transient = new PredicateBuilder()
            .Handle<RedisConnectionException>()
            .Handle<RedisTimeoutException>()
            .Handle<TimeoutRejectedException>();

        var builder = new ResiliencePipelineBuilder();

        // Outermost: the whole call, retries included, never takes longer than OperationTimeout.
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

        if (retry)
        {
            // Innermost: one attempt. Half the budget, so that an attempt stuck on a dead socket leaves room for a retry
            // (which finds the first attempt's effect, if it had any, thanks to idempotency). Without retries an attempt
            // timeout would only shorten the budget.
            var attempt = TimeSpan.FromTicks(Math.Max(total.Ticks / 2, TimeSpan.FromMilliseconds(20).Ticks));
            builder.AddTimeout(attempt);
        }

        return builder.Build();
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e) =>
        Log.ConnectionFailed(_logger, e.ConnectionType, e.EndPoint?.ToString() ?? "?", e.FailureType, e.Exception);

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
            // Close(false): do not wait for pending replies, a stalled server would make disposal hang.
            try
            {
                await multiplexer.CloseAsync(allowCommandsToComplete: false).WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // Closing a dead connection can fail; Dispose below releases the sockets either way.
            }

            multiplexer.Dispose();
        }
    }
}
