using System.Net.Http.Headers;
using System.Text.Json;
using KefuSync.Conversations;
using KefuSync.Diagnostics;
using KefuSync.Leasing;
using KefuSync.Protocol;
using KefuSync.Stores;
using KefuSync.Sync;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace KefuSync.Webhooks;

/// <summary>
/// Delivers one endpoint's events from the op log, on every node, with exactly one node sending at a time
/// (docs/webhooks.md §4 and §5).
/// </summary>
/// <remarks>
/// <para><b>Where events come from.</b> Every conversation op the server commits is folded into an <c>inbox</c> summary
/// naming its conversation. A pass reads the inbox after the endpoint's inbox cursor, and for each conversation named
/// reads <c>conv:KEY</c> after that conversation's cursor, up to its head: the events are derived from those ops
/// (<see cref="WebhookEvents"/>). Conversations go out in parallel (<see cref="KefuWebhookDeliveryOptions.MaxConcurrency"/>),
/// each one's events strictly in order, each event after the previous one was answered 2xx. The inbox cursor moves only
/// when every conversation of the pass is delivered, so nothing named is skipped.</para>
/// <para><b>Durable and once per node.</b> The cursors are recorded in the endpoint's <c>webhook:NAME</c> log
/// (<see cref="WebhookLog"/>) after each pass and with each lease renewal. A node that dies resends from the last
/// recorded cursor: events can come twice, never not at all, and a repeat carries the same <c>webhook-id</c>.</para>
/// <para><b>One sender.</b> A node sends only while it holds the lease, a <c>lease</c> record appended at the log's
/// head (a compare-and-swap: of two nodes, one wins). The holder renews it every third of
/// <see cref="KefuWebhookDeliveryOptions.LeaseDuration"/>, and starts no attempt that could outlast it (the request
/// timeout is at most a third of the lease), so by the time another node may take over, the old holder has stopped.
/// Its records are appended at the head it knows, so a holder that lost the lease cannot write a cursor either.</para>
/// </remarks>
internal sealed partial class WebhookRunner
{
    private static readonly ResiliencePropertyKey<WebhookEvent> EventKey = new("kefu.webhook.event");
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly KefuWebhookOptions _endpoint;
    private readonly KefuWebhookDeliveryOptions _options;
    private readonly byte[] _key;
    private readonly HashSet<string>? _events;
    private readonly IOpStore _store;
    private readonly ISnapshotStore? _snapshots;
    private readonly IHttpClientFactory _http;
    private readonly TimeProvider _time;
    private readonly string _node;
    private readonly KefuMetrics _metrics;
    private readonly InboxWakeup _wakeup;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly KeyValuePair<string, object?> _tag;

    // _state is the fold of the log plus this node's progress not yet recorded (_dirty, _dirtyInbox, _newFailures);
    // conversation tasks of a pass update it in parallel, under _sync. Records are written one at a time (_writeGate).
    private readonly WebhookLog _state;
    private readonly Lock _sync = new();
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Dictionary<string, long> _dirty = new(StringComparer.Ordinal);
    private readonly List<KefuWebhookFailure> _newFailures = [];
    private bool _dirtyInbox;
    private long _ownedUntil; // Unix ms until which this node holds the lease; 0: it does not
    private bool _pauseRequested;
    private int _sinceRecord; // ops delivered since the last record
    private const int RecordEvery = 64;
    private readonly LeasedLogChannel _log;

    public WebhookRunner(KefuWebhookOptions endpoint, KefuWebhookDeliveryOptions options, IOpStore store, ISnapshotStore? snapshots, IHttpClientFactory http, TimeProvider time, NodeIdentity node, KefuMetrics metrics, InboxWakeup wakeup, ILogger logger)
    {
        _endpoint = endpoint;
        _options = options;
        _key = WebhookSignature.TryDecodeSecret(endpoint.Secret) ?? throw new InvalidOperationException($"The secret of webhook '{endpoint.Name}' is not a whsec_ secret.");
        _events = endpoint.Events.Count == 0 ? null : new HashSet<string>(endpoint.Events, StringComparer.Ordinal);
        _store = store;
        _snapshots = snapshots;
        _http = http;
        _time = time;
        _node = node.Id;
        _metrics = metrics;
        _wakeup = wakeup;
        _logger = logger;
        _state = new WebhookLog(endpoint.Name);
        _log = new LeasedLogChannel(store, snapshots, _state, _sync);
        _tag = new("endpoint", endpoint.Name);
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time };
        if (options.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = options.MaxRetryDelay,
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Exception is { } ex ? ex is not OperationCanceledException : args.Outcome.Result is { IsSuccessStatusCode: false }),
                OnRetry = args =>
                {
                    Failed(args.Context.Properties.GetValue(EventKey, null!), args.AttemptNumber + 1, args.Outcome.Result, args.Outcome.Exception);
                    return default;
                },
            });
        }

        _pipeline = builder.AddTimeout(options.RequestTimeout).Build();
    }

    public string Name => _endpoint.Name;

    /// <summary>Records between two snapshots of the log (a test lowers it).</summary>
    internal int SnapshotEvery { get => _log.SnapshotEvery; set => _log.SnapshotEvery = value; }

    /// <summary>Set by a test before it stops the host: the runner then stops as if the process died (no release, no last record).</summary>
    internal bool SimulateCrash { get; set; }

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Writes the <c>start</c> record if the endpoint is new: events committed before it are not sent.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken) => _log.StartAsync(_node, _time, cancellationToken);

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            await LeasedLoop.RunAsync(_wakeup, _options.PollInterval, _time, async token =>
            {
                if (_state.Head == 0)
                {
                    await InitializeAsync(token).ConfigureAwait(false);
                }

                return await StepAsync(token).ConfigureAwait(false);
            }, ex => Log.StepFailed(_logger, Name, ex), stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            if (!SimulateCrash && _ownedUntil > 0)
            {
                // A graceful stop hands the endpoint over at once, with the progress made: the next holder resends nothing.
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    await WriteAsync("release", timeout.Token).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    Log.ReleaseFailed(_logger, Name, ex);
                }
            }
        }
    }

    /// <summary>One step: take or renew the lease if due, then one pass. True when there may be more to do at once.</summary>
    internal async Task<bool> StepAsync(CancellationToken cancellationToken)
    {
        await _log.CatchUpAsync(cancellationToken).ConfigureAwait(false);
        if (_state.Paused)
        {
            _ownedUntil = 0;
            return false;
        }

        var holder = _state.HolderAt(Now);
        if (holder is not null && holder != _node)
        {
            _ownedUntil = 0;
            return false; // another node delivers
        }

        if (holder is null || _state.LeaseUntil - Now <= (long)(_options.LeaseDuration.TotalMilliseconds * 2 / 3))
        {
            var taken = holder is null;
            if (!await WriteAsync("lease", cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            if (taken)
            {
                Log.LeaseTaken(_logger, Name, _node);
            }
        }
        else
        {
            _ownedUntil = _state.LeaseUntil;
        }

        using var pass = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var renewer = RenewAsync(pass);
        var progressed = false;
        try
        {
            progressed = await PassAsync(pass, pass.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The lease ran out or was lost, or an event failed every attempt: what was delivered is recorded below.
        }
        finally
        {
            await pass.CancelAsync().ConfigureAwait(false);
            await renewer.ConfigureAwait(false);
        }

        if (_pauseRequested)
        {
            _pauseRequested = false;
            if (await WriteAsync("pause", cancellationToken).ConfigureAwait(false))
            {
                _metrics.WebhooksPaused.Add(1, _tag);
                Log.Paused(_logger, Name, _options.MaxAttempts);
            }

            return false;
        }

        bool dirty;
        lock (_sync)
        {
            dirty = _dirty.Count > 0 || _dirtyInbox || _newFailures.Count > 0;
        }

        if (dirty && _ownedUntil > 0)
        {
            await WriteAsync("lease", cancellationToken).ConfigureAwait(false);
        }

        return progressed && _ownedUntil > 0;
    }

    /// <summary>Renews the lease every third of it while a pass runs (a pass waits out retry delays); a lost lease ends the pass.</summary>
    private async Task RenewAsync(CancellationTokenSource pass)
    {
        try
        {
            while (!pass.IsCancellationRequested)
            {
                await Task.Delay(_options.LeaseDuration / 3, _time, pass.Token).ConfigureAwait(false);
                if (!await WriteAsync("lease", pass.Token).ConfigureAwait(false))
                {
                    await pass.CancelAsync().ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            // The store failed: the pass stops by itself before the lease runs out (no attempt starts that could outlast it).
            Log.StepFailed(_logger, Name, ex);
        }
    }

    private async Task<bool> PassAsync(CancellationTokenSource pass, CancellationToken cancellationToken)
    {
        long from;
        lock (_sync)
        {
            from = _state.Inbox;
        }

        if (await InboxChanges.ReadAsync(_store, _snapshots, from, 500, cancellationToken).ConfigureAwait(false) is not { } changes)
        {
            return false;
        }

        var options = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(changes.Keys, options, (key, token) => new ValueTask(ConversationAsync(key, pass, token))).ConfigureAwait(false);
        lock (_sync)
        {
            _state.Inbox = Math.Max(_state.Inbox, changes.Through);
            _dirtyInbox = true;
        }

        return true;
    }

    /// <summary>Sends one conversation's events after its cursor, in order, and moves the cursor after each op.</summary>
    private async Task ConversationAsync(string key, CancellationTokenSource pass, CancellationToken cancellationToken)
    {
        var channel = ChannelName.Conversation(key).Value;
        long cursor;
        lock (_sync)
        {
            cursor = _state.Conversations.GetValueOrDefault(key);
        }

        while (true)
        {
            var ops = await _store.ReadAsync(channel, cursor, 100, cancellationToken).ConfigureAwait(false);
            foreach (var op in ops)
            {
                if (op.Timestamp.ToUnixTimeMilliseconds() >= _state.StartAt)
                {
                    foreach (var e in WebhookEvents.Derive(key, op, Wanted))
                    {
                        await SendAsync(e, pass, cancellationToken).ConfigureAwait(false);
                    }
                }

                cursor = op.Revision;
                lock (_sync)
                {
                    _state.Conversations[key] = cursor;
                    _dirty[key] = cursor;
                }

                // A long pass records its progress as it goes: a crash resends at most this many ops' events.
                if (Interlocked.Increment(ref _sinceRecord) >= RecordEvery && !await WriteAsync("lease", cancellationToken).ConfigureAwait(false))
                {
                    await pass.CancelAsync().ConfigureAwait(false);
                    throw new OperationCanceledException(pass.Token);
                }
            }

            if (ops.Count < 100)
            {
                return;
            }
        }
    }

    private bool Wanted(string type) => _events is null || _events.Contains(type);

    private async Task SendAsync(WebhookEvent e, CancellationTokenSource pass, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(EventKey, e);
        Outcome<HttpResponseMessage> outcome;
        try
        {
            outcome = await _pipeline.ExecuteOutcomeAsync(static async (ctx, self) =>
            {
                try
                {
                    return Outcome.FromResult(await self.AttemptAsync(ctx.Properties.GetValue(EventKey, null!), ctx.CancellationToken).ConfigureAwait(false));
                }
                catch (Exception ex)
                {
                    return Outcome.FromException<HttpResponseMessage>(ex);
                }
            }, context, this).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        using (outcome.Result)
        {
            if (outcome.Result is { IsSuccessStatusCode: true })
            {
                lock (_sync)
                {
                    _state.Delivered++;
                    _state.LastDeliveredAt = Now;
                }

                _metrics.WebhooksDelivered.Add(1, _tag);
                return;
            }

            if (outcome.Exception is OperationCanceledException)
            {
                // Stopping, the lease ending, or another conversation's event paused the endpoint: not this event's failure.
                await pass.CancelAsync().ConfigureAwait(false);
                throw new OperationCanceledException(pass.Token);
            }

            Failed(e, _options.MaxAttempts, outcome.Result, outcome.Exception);
        }

        // Every attempt failed: pause the endpoint (recorded after the pass), and stop its other conversations.
        _pauseRequested = true;
        await pass.CancelAsync().ConfigureAwait(false);
        throw new OperationCanceledException(pass.Token);
    }

    private async Task<HttpResponseMessage> AttemptAsync(WebhookEvent e, CancellationToken cancellationToken)
    {
        // No attempt that could outlast the lease: by the time another node may take over, this one sends nothing more.
        if (Now + (long)_options.RequestTimeout.TotalMilliseconds >= Volatile.Read(ref _ownedUntil))
        {
            throw new OperationCanceledException("The webhook lease is not held long enough for another attempt.");
        }

        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint.Url) { Content = new ByteArrayContent(e.Body) };
        request.Content.Headers.ContentType = Json;
        request.Headers.TryAddWithoutValidation("webhook-id", e.Id);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", WebhookSignature.Sign(_key, e.Id, timestamp, e.Body));
        request.Headers.UserAgent.ParseAdd("KefuSync-Webhooks/1");
        var client = _http.CreateClient(WebhookNetworkPolicy.ClientName);
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
    }

    private void Failed(WebhookEvent e, int attempt, HttpResponseMessage? response, Exception? exception)
    {
        var refused = Find<WebhookAddressRefusedException>(exception);
        var error = response is not null ? $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}"
            : refused is not null ? "refused: " + refused.Message
            : exception is TimeoutRejectedException ? $"no answer within {_options.RequestTimeout}"
            : exception?.GetBaseException().Message ?? "failed";
        var failure = new KefuWebhookFailure { At = _time.GetUtcNow(), EventId = e.Id, Attempt = attempt, StatusCode = response is null ? null : (int)response.StatusCode, Error = error };
        lock (_sync)
        {
            _newFailures.Add(failure);
            if (_newFailures.Count > WebhookLog.MaxFailures)
            {
                _newFailures.RemoveAt(0);
            }
        }

        _metrics.WebhooksFailed.Add(1, _tag);
        Log.AttemptFailed(_logger, Name, e.Id, attempt, error);
    }

    private static T? Find<T>(Exception? exception)
        where T : Exception
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            if (ex is T found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>
    /// Appends a <c>lease</c>, <c>release</c> or <c>pause</c> record with the progress not yet recorded, at the head this
    /// node knows. A conflict is re-read: another node holding the lease means this one lost it (false); anything else
    /// (a resume) is appended over.
    /// </summary>
    private async Task<bool> WriteAsync(string kind, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; attempt < 8; attempt++)
            {
                var now = Now;
                var until = kind == "lease" ? now + (long)_options.LeaseDuration.TotalMilliseconds : 0;
                Dictionary<string, long> cursors;
                KefuWebhookFailure[] failures;
                byte[] payload;
                lock (_sync)
                {
                    cursors = new(_dirty, StringComparer.Ordinal);
                    failures = [.. _newFailures];
                    payload = WebhookLog.Record(kind, _node, until, _dirtyInbox ? _state.Inbox : null, cursors, _state.Delivered, _state.LastDeliveredAt, failures);
                }

                var expected = _state.Head;
                var result = await _store.AppendAsync(_state.Channel, expected, new OpDraft($"{kind}:{_node}:{expected}", _node, _time.GetUtcNow(), payload), cancellationToken).ConfigureAwait(false);
                if (result.Status == AppendStatus.Conflict)
                {
                    await _log.CatchUpAsync(cancellationToken).ConfigureAwait(false);
                    var holder = _state.HolderAt(Now);
                    if ((holder is not null && holder != _node) || (_state.Paused && kind != "pause"))
                    {
                        Volatile.Write(ref _ownedUntil, 0);
                        Log.LeaseLost(_logger, Name, holder ?? "(paused)");
                        return false;
                    }

                    continue;
                }

                lock (_sync)
                {
                    // The same client op id at the same head is this node's own append, whose answer was lost.
                    if (result.Status == AppendStatus.Appended && result.Revision == _state.Head + 1)
                    {
                        _state.Apply(result.Revision, payload);
                    }

                    foreach (var (key, revision) in cursors)
                    {
                        if (_dirty.TryGetValue(key, out var now2) && now2 == revision)
                        {
                            _dirty.Remove(key);
                        }
                    }

                    _newFailures.RemoveRange(0, Math.Min(failures.Length, _newFailures.Count));
                    _dirtyInbox = false;
                }

                if (result.Status == AppendStatus.Duplicate)
                {
                    await _log.CatchUpAsync(cancellationToken).ConfigureAwait(false);
                }

                await _log.CompactAsync(ex => Log.SnapshotFailed(_logger, Name, ex), cancellationToken).ConfigureAwait(false);

                Volatile.Write(ref _ownedUntil, until);
                Volatile.Write(ref _sinceRecord, 0);
                return true;
            }

            return false;
        }
        finally
        {
            _writeGate.Release();
        }
    }
}
