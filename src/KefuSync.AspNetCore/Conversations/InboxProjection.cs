using KefuSync.Protocol;
using KefuSync.Security;
using KefuSync.Sync;
using Microsoft.Extensions.Logging;

namespace KefuSync.Conversations;

/// <summary>
/// The agents' inbox, fed by commit notifications: every conversation op the commit pipeline commits on this node is
/// queued here (<see cref="ICommitListener{TOp}"/>), folded in the background into the conversation's new summary and
/// committed to the <c>inbox</c> channel through the same pipeline (<see cref="InboxHandler"/>). Consoles list
/// summaries with a <c>list</c> frame and follow changes by subscribing to <c>inbox</c>.
/// </summary>
internal sealed partial class InboxProjection(CommitPipeline pipeline, InboxHandler handler, ILogger<InboxProjection> logger) : ICommitListener<MessageOp>
{
    private const int MaxBatch = 4096;

    /// <summary>
    /// The background fold runs at most this often. An idle inbox updates at once (the first op after a quiet moment is
    /// folded immediately); under load the ops of this window are coalesced into one summary per conversation, so a
    /// busy conversation costs a few summaries a second instead of one per message. Measured in docs/benchmarks.md:
    /// at 100 conversations × 20 msg/s, folding every message doubled the server's work per message.
    /// </summary>
    private static readonly TimeSpan MinFlushInterval = TimeSpan.FromMilliseconds(500);
    // The engine writes the inbox as a bot named "system"; only the id reaches the wire (an inbox op's "by").
    private static readonly KefuPrincipal InboxWriter = new("system", "KefuSync", PrincipalRole.Bot, null, null);

    // Guards the fold: the drain, FlushAsync and ListAsync, and with them every use of the handler's state.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly System.Threading.Channels.Channel<InboxPendingOp> _pending = System.Threading.Channels.Channel.CreateBounded<InboxPendingOp>(
        new System.Threading.Channels.BoundedChannelOptions(10_000) { FullMode = System.Threading.Channels.BoundedChannelFullMode.Wait });
    private int _draining;
    private readonly SemaphoreSlim _pressure = new(0, 1);
    private int _pressed; // 1 while _pressure holds a release nobody consumed yet
    private long _lastFlushAt; // Stopwatch timestamp of the last background fold (0: never, i.e. long ago)
    private readonly Dictionary<string, List<InboxPendingOp>> _groups = new(StringComparer.Ordinal);
    private readonly Stack<List<InboxPendingOp>> _spareGroups = new();

    /// <summary>A conversation op was committed: queue it for the inbox.</summary>
    public ValueTask OnCommittedAsync(CommittedOp<MessageOp> committed, CancellationToken cancellationToken)
        => committed.Channel.Kind == ChannelKind.Conversation
            ? EnqueueAsync(committed.Channel.Key, committed.Author, committed.Revision, committed.Timestamp, committed.Op)
            : ValueTask.CompletedTask;

    /// <summary>
    /// Queues a committed conversation op for the inbox. The fold and the inbox append run in the background, off the
    /// client's submit path, and a busy moment is coalesced into one summary per conversation: at 2,000 messages a
    /// second the inbox must not be a global lock every message waits for. The queue is bounded; when the writer
    /// lags that far behind, callers wait (backpressure) rather than the queue growing without end.
    /// </summary>
    public ValueTask EnqueueAsync(string key, KefuPrincipal author, long revision, DateTimeOffset timestamp, MessageOp op)
    {
        var item = new InboxPendingOp(key, author, revision, timestamp.ToUnixTimeMilliseconds(), op);
        if (_pending.Writer.TryWrite(item))
        {
            ScheduleDrain();
            return ValueTask.CompletedTask;
        }

        return SlowEnqueueAsync(item);
    }

    private async ValueTask SlowEnqueueAsync(InboxPendingOp item)
    {
        await _pending.Writer.WriteAsync(item).ConfigureAwait(false);
        ScheduleDrain();
    }

    private void ScheduleDrain()
    {
        // A full batch is waiting: wake a drain that is pacing itself now. Without this the queue filled up inside the
        // pacing interval under load and every submitter waited for it (measured: a cap of 10,000 messages per 500 ms).
        if (_pending.Reader.Count >= MaxBatch && Interlocked.Exchange(ref _pressed, 1) == 0)
        {
            _pressure.Release();
        }

        if (Interlocked.CompareExchange(ref _draining, 1, 0) == 0)
        {
            _ = Task.Run(DrainAsync);
        }
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            // A Stopwatch measures how long since the last fold: a duration that paces work, not logical time (and a
            // test's fake TimeProvider must not stall the inbox).
            var wait = MinFlushInterval - System.Diagnostics.Stopwatch.GetElapsedTime(Volatile.Read(ref _lastFlushAt));
            if (wait > TimeSpan.Zero && _pending.Reader.Count < MaxBatch)
            {
                await _pressure.WaitAsync(wait).ConfigureAwait(false);
            }

            // Consume a release we did not wait for before allowing the next one (the semaphore's maximum is 1).
            _pressure.Wait(0);
            Volatile.Write(ref _pressed, 0);

            await _gate.WaitAsync().ConfigureAwait(false);
            try
            {
                Volatile.Write(ref _lastFlushAt, System.Diagnostics.Stopwatch.GetTimestamp());
                // A full batch means the queue held more: keep folding now, so the pacing never caps the message rate
                // (the bounded queue would then push back on every submitter).
                while (await FlushLockedAsync(CancellationToken.None).ConfigureAwait(false) == MaxBatch)
                {
                }
            }
            catch (Exception ex)
            {
                // Not data loss: the messages are committed and delivered. The summaries of this batch catch up at each
                // conversation's next op.
                Log.InboxUpdateFailed(logger, ex);
            }
            finally
            {
                _gate.Release();
            }

            Volatile.Write(ref _draining, 0);
            if (!_pending.Reader.TryPeek(out _) || Interlocked.CompareExchange(ref _draining, 1, 0) != 0)
            {
                return;
            }
        }
    }

    /// <summary>Folds and appends everything queued now (on shutdown, so a graceful stop leaves no summary behind).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (_pending.Reader.TryPeek(out _))
            {
                await FlushLockedAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Folds up to <see cref="MaxBatch"/> queued ops and appends one summary per changed conversation; returns how many were folded. Call under the gate.</summary>
    private async Task<int> FlushLockedAsync(CancellationToken cancellationToken)
    {
        // The grouping buffers are reused across batches (we hold the gate): a busy inbox folds thousands of ops a
        // second, and regrowing arrays per batch was a visible share of the server's allocations.
        var count = 0;
        while (count < MaxBatch && _pending.Reader.TryRead(out var item))
        {
            if (!_groups.TryGetValue(item.Key, out var group))
            {
                _groups[item.Key] = group = _spareGroups.Count > 0 ? _spareGroups.Pop() : [];
            }

            group.Add(item);
            count++;
        }

        if (count == 0)
        {
            return 0;
        }

        try
        {
            foreach (var (key, ops) in _groups)
            {
                await FoldAsync(key, ops, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            foreach (var group in _groups.Values)
            {
                group.Clear();
                _spareGroups.Push(group);
            }

            _groups.Clear();
        }

        return count;
    }

    /// <summary>Folds one conversation's queued ops into its summary and commits the summary to the inbox channel.</summary>
    private async Task FoldAsync(string key, List<InboxPendingOp> ops, CancellationToken cancellationToken)
    {
        var last = 0L;
        foreach (var op in ops)
        {
            last = Math.Max(last, op.Revision);
        }

        var result = await pipeline.CommitAsync(handler, InboxWriter, ChannelName.Inbox, $"c:{key}:{last}", 0, new InboxFold(key, ops), cancellationToken).ConfigureAwait(false);
        if (!result.Committed)
        {
            // A conflict through every retry, or the store failed: the summary is refreshed by the conversation's next op.
            Log.InboxNotUpdated(logger, key, result.ErrorCode!);
        }
    }

    /// <summary>
    /// Runs <paramref name="read"/> on the fold under the projection's gate, after folding what this node has queued and
    /// catching up with other nodes: every read of the inbox sees its own writes.
    /// </summary>
    private async Task<T> ReadAsync<T>(Func<T> read, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await FlushLockedAsync(cancellationToken).ConfigureAwait(false);
            await handler.CatchUpAsync(cancellationToken).ConfigureAwait(false);
            return read();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Summaries for a console: by last activity, newest first, filtered.</summary>
    public Task<(IReadOnlyList<ConversationSummary> Items, long Revision)> ListAsync(string filter, string agentId, int count, CancellationToken cancellationToken)
        => ReadAsync(() => (handler.List(filter, agentId, count), handler.Revision), cancellationToken);

    /// <summary>The summary of conversation <paramref name="key"/>, read-your-writes, or null when the inbox has none.</summary>
    public Task<ConversationSummary?> FindAsync(string key, CancellationToken cancellationToken)
        => ReadAsync(() => handler.Find(key), cancellationToken);

    /// <summary>A page of summaries in key order after <paramref name="after"/> (see <see cref="InboxHandler.Page"/>), read-your-writes.</summary>
    public Task<List<ConversationSummary>> PageAsync(string? after, int count, Func<ConversationSummary, bool> where, CancellationToken cancellationToken)
        => ReadAsync(() => handler.Page(after, count, where), cancellationToken);

    /// <summary>Every summary that <paramref name="where"/> selects (the email follow-up looks for unread replies with it).</summary>
    public Task<List<ConversationSummary>> WhereAsync(Func<ConversationSummary, bool> where, CancellationToken cancellationToken)
        => ReadAsync(() => handler.Where(where), cancellationToken);
}
