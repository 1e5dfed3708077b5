using System.Diagnostics;
using KefuSync.Diagnostics;
using KefuSync.Protocol;
using KefuSync.Security;
using KefuSync.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KefuSync.Sync;

/// <summary>
/// The one commit loop every channel kind goes through (docs/architecture.md, "The commit pipeline"): dedupe by client
/// op id, the handler's rules and transform, an expected-revision append retried at most
/// <see cref="KefuLimitsOptions.MaxAppendRetries"/> times, the cached state updated, the op broadcast (serialized
/// once), then the commit listeners. What differs between kinds lives in its <see cref="ChannelKindHandler{TOp}"/>.
/// </summary>
/// <remarks>
/// Invariants: an op is appended at most once per client op id (the store's dedupe, checked before the revision, and
/// asked again before any refusal that depends on the channel's state); an op is appended only as its handler
/// prepared it for the head it is appended after, so the log always replays (for text: to a valid document). This
/// node's commits to one channel are serialized by the channel's gate.
/// </remarks>
internal sealed partial class CommitPipeline
{
    private readonly IChannelKindHandler?[] _handlers;
    private readonly IServiceProvider _services;
    private readonly IOpStore _store;
    private readonly ISynchronousAppend? _synchronous; // the store, when it appends without a Task (the in-memory one)
    private readonly TextDocuments _runtimes;
    private readonly FanOut _fanOut;
    private readonly KefuObservers _observers;
    private readonly KefuMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly IOptionsMonitor<KefuSyncOptions> _options;
    private readonly ILogger<CommitPipeline> _logger;

    public CommitPipeline(
        IEnumerable<IChannelKindHandler> handlers,
        IServiceProvider services,
        IOpStore store,
        TextDocuments runtimes,
        FanOut fanOut,
        KefuObservers observers,
        KefuMetrics metrics,
        TimeProvider time,
        IOptionsMonitor<KefuSyncOptions> options,
        ILogger<CommitPipeline> logger)
    {
        var all = handlers.ToArray();
        var size = all.SelectMany(h => h.Kinds).Select(k => (int)k + 1).DefaultIfEmpty(0).Max();
        _handlers = new IChannelKindHandler?[size];
        foreach (var handler in all)
        {
            foreach (var kind in handler.Kinds)
            {
                if (_handlers[(int)kind] is { } other)
                {
                    throw new InvalidOperationException($"Both {other.GetType().Name} and {handler.GetType().Name} handle channel kind {kind}; register one handler per kind.");
                }

                _handlers[(int)kind] = handler;
            }
        }

        (_services, _store, _runtimes, _fanOut, _observers, _metrics, _time, _options, _logger) = (services, store, runtimes, fanOut, observers, metrics, time, options, logger);
        _synchronous = store as ISynchronousAppend;
    }

    /// <summary>Commits an op a client (or the host, through <see cref="IKefuSyncService"/>) submitted as wire JSON.</summary>
    /// <remarks>
    /// <c>fromClientFrame</c>: a <c>submit</c> frame of a wire client, whose ids on text channels may be sequenced (docs/protocol.md §4.1: its OT
    /// client has one op in flight, so its numbers only grow). Ids given through the server-side API or the REST API are
    /// idempotency keys of callers that may submit concurrently: never sequenced, or a later id would drop an earlier one.
    /// </remarks>
    public ValueTask<SubmitResult> SubmitAsync(KefuPrincipal author, ChannelName channel, string clientOpId, long baseRevision, ReadOnlyMemory<byte> op, CancellationToken cancellationToken, bool fromClientFrame = false)
    {
        var kind = (int)channel.Kind;
        if ((uint)kind >= (uint)_handlers.Length || _handlers[kind] is not { } handler)
        {
            return new ValueTask<SubmitResult>(SubmitResult.Fail(ErrorCodes.Forbidden, "No op can be written to this channel."));
        }

        if (baseRevision < 0)
        {
            return new ValueTask<SubmitResult>(SubmitResult.Fail(ErrorCodes.BadFrame, "'rev' must not be negative."));
        }

        return handler.SubmitAsync(this, author, channel, clientOpId, baseRevision, op, fromClientFrame, cancellationToken);
    }

    /// <summary>
    /// The loop. <paramref name="op"/> was read by <paramref name="handler"/> already (<see cref="ChannelKindHandler{TOp}.TryRead"/>),
    /// or built by the server itself (the inbox's summaries).
    /// </summary>
    public async ValueTask<SubmitResult> CommitAsync<TOp>(ChannelKindHandler<TOp> handler, KefuPrincipal author, ChannelName channel, string clientOpId, long baseRevision, TOp op, CancellationToken cancellationToken, bool fromClientFrame = false)
    {
        try
        {
            var runtime = _runtimes.Runtime(channel.Value);
            await runtime.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var head = await handler.LoadAsync(channel, runtime, cancellationToken).ConfigureAwait(false);

                // A resend after a lost ack is answered before any transform, so an old base never turns it into an error.
                if (handler.FindRecent(runtime, clientOpId) is { } original)
                {
                    return SubmitResult.Dup(original);
                }

                var prepared = await handler.PrepareAsync(author, channel, runtime, baseRevision, op, head, cancellationToken).ConfigureAwait(false);
                var sequence = fromClientFrame ? handler.SequenceOf(clientOpId) : null;
                var maxAttempts = _options.CurrentValue.Limits.MaxAppendRetries;
                for (var attempt = 0; ; attempt++)
                {
                    if (prepared.Refusal is { } refusal)
                    {
                        return await UnlessCommittedAsync(channel, clientOpId, sequence, refusal, cancellationToken).ConfigureAwait(false);
                    }

                    var now = _time.GetUtcNow();
                    var result = await AppendAsync(channel, prepared.Head, clientOpId, author.Id, now, prepared.Payload, sequence, cancellationToken).ConfigureAwait(false);
                    var status = result.Status;
                    if (status == AppendStatus.Duplicate && result.Revision == prepared.Head + 1 && (sequence is null || await IsCommittedAtAsync(channel, result.Revision, clientOpId, cancellationToken).ConfigureAwait(false)))
                    {
                        // A Duplicate at exactly the revision we wrote is our own append, answered after a store-internal
                        // retry: it still has to be applied and broadcast. Re-broadcasting is harmless: clients dedupe by
                        // revision. A sequenced op is also a Duplicate of a later op of its client (a higher n that another
                        // node committed there), which is not ours to apply: the record at that revision tells.
                        status = AppendStatus.Appended;
                    }

                    switch (status)
                    {
                        case AppendStatus.Appended:
                            var committed = new CommittedOp<TOp>(channel, result.Revision, clientOpId, author, now, prepared.Op, prepared.Payload);
                            handler.Apply(runtime, committed);
                            await CommittedAsync(handler, committed, cancellationToken).ConfigureAwait(false);
                            await handler.AfterCommitAsync(runtime, committed, cancellationToken).ConfigureAwait(false);
                            return SubmitResult.Ok(result.Revision);
                        case AppendStatus.Duplicate:
                            return SubmitResult.Dup(result.Revision);
                        default:
                            if (attempt + 1 >= maxAttempts)
                            {
                                return SubmitResult.Fail(ErrorCodes.Conflict, handler.ConflictMessage);
                            }

                            prepared = await handler.RebaseAsync(author, channel, runtime, prepared, result.Revision, cancellationToken).ConfigureAwait(false);
                            break;
                    }
                }
            }
            finally
            {
                runtime.Gate.Release();
            }
        }
        catch (StoreUnavailableException ex)
        {
            // Store down, timed out, or broken: the client keeps the op in its outbox and resends (idempotent). Only store
            // calls throw this; anything else (a client's bytes, a bug) must not tell the client to send the same op again.
            Log.StoreFailed(_logger, channel.Value, ex.InnerException ?? ex);
            return SubmitResult.Fail(ErrorCodes.StoreUnavailable, "The store is unavailable; send the op again later.");
        }
    }

    /// <summary>
    /// Before refusing an op for a reason that depends on the channel's state (a trimmed or future base, a document or an
    /// edit window that moved on), asks the store whether its client op id was committed already: a resend after a lost
    /// ack gets its original revision (docs/protocol.md §4.1: the id is checked first). New ops never come here, so the
    /// hot path pays nothing for it; the handlers' recent ids answer most resends before this.
    /// </summary>
    private async Task<SubmitResult> UnlessCommittedAsync(ChannelName channel, string clientOpId, OpSequence? sequence, SubmitResult refusal, CancellationToken cancellationToken)
    {
        long? original;
        try
        {
            original = await _store.FindDuplicateAsync(channel.Value, clientOpId, sequence, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StoreUnavailableException.ShouldWrap(ex, cancellationToken))
        {
            throw new StoreUnavailableException(channel.Value, ex);
        }

        return original is { } revision ? SubmitResult.Dup(revision) : refusal;
    }

    /// <summary>Whether the op stored at <paramref name="revision"/> has this client op id (off the hot path: only after a Duplicate at head + 1).</summary>
    private async Task<bool> IsCommittedAtAsync(ChannelName channel, long revision, string clientOpId, CancellationToken cancellationToken)
    {
        try
        {
            var ops = await _store.ReadAsync(channel.Value, revision - 1, 1, cancellationToken).ConfigureAwait(false);
            return ops.Count == 1 && ops[0].Revision == revision && string.Equals(ops[0].ClientOpId, clientOpId, StringComparison.Ordinal);
        }
        catch (Exception ex) when (StoreUnavailableException.ShouldWrap(ex, cancellationToken))
        {
            throw new StoreUnavailableException(channel.Value, ex);
        }
    }

    private async ValueTask<AppendResult> AppendAsync(ChannelName channel, long expected, string clientOpId, string author, DateTimeOffset timestamp, ReadOnlyMemory<byte> payload, OpSequence? sequence, CancellationToken cancellationToken)
    {
        // Stopwatch measures a duration here (the store-latency histogram); it is not logical time. Only read while a
        // listener collects the histogram: two clock reads per op were 2 % of the trace replay with nobody listening.
        var started = _metrics.StoreDuration.Enabled ? Stopwatch.GetTimestamp() : 0;
        try
        {
            return _synchronous is { } synchronous
                ? synchronous.Append(channel.Value, expected, clientOpId, author, timestamp, payload.Span, sequence)
                : await _store.AppendAsync(channel.Value, expected, new OpDraft(clientOpId, author, timestamp, payload) { Sequence = sequence }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StoreUnavailableException.ShouldWrap(ex, cancellationToken))
        {
            throw new StoreUnavailableException(channel.Value, ex);
        }
        finally
        {
            if (started != 0)
            {
                _metrics.StoreDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
    }

    private async ValueTask CommittedAsync<TOp>(ChannelKindHandler<TOp> handler, CommittedOp<TOp> committed, CancellationToken cancellationToken)
    {
        var channel = committed.Channel.Value;

        // Serialized once: the same frame goes to every local subscriber and to the backplane.
        var frame = FrameWriter.Op(channel, committed.Revision, committed.ClientOpId, committed.Author.Id, committed.Timestamp.ToUnixTimeMilliseconds(), committed.Payload);
        await _fanOut.PublishCommittedAsync(channel, committed.Revision, frame).ConfigureAwait(false);
        if (!handler.IsDerived)
        {
            _metrics.Ops.Add(1);

            // No notification object unless an observer is registered (the common case allocates nothing here).
            if (_observers.Any)
            {
                _observers.Notify(new KefuCommittedOp { Channel = channel, Revision = committed.Revision, ClientOpId = committed.ClientOpId, Author = committed.Author.Id, Timestamp = committed.Timestamp, Payload = committed.Payload });
            }
        }

        var listeners = handler.Listeners ??= [.. _services.GetServices<ICommitListener<TOp>>()];
        foreach (var listener in listeners)
        {
            await listener.OnCommittedAsync(committed, cancellationToken).ConfigureAwait(false);
        }
    }
}
