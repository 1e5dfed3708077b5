using System.Text.Json;
using KefuSync.Protocol;
using KefuSync.Security;
using KefuSync.Stores;
using KefuSync.Sync;
using Microsoft.Extensions.Logging;

namespace KefuSync.Conversations;

/// <summary>
/// The agents' inbox: one summary per conversation, kept in the <c>inbox</c> channel. Each conversation op committed on
/// this node appends the conversation's new summary to <c>inbox</c> (client op id <c>c:KEY:REV</c>, so two nodes can
/// never append it twice); consoles list summaries with a <c>list</c> frame and follow changes by subscribing to
/// <c>inbox</c>. The store stays the source of truth: this in-memory fold catches up from it before every use, and is
/// snapshotted so a restart does not replay the whole inbox.
/// </summary>
internal sealed partial class InboxProjection(IOpStore store, IServiceProvider services, FanOut fanOut, TimeProvider time, ILogger<InboxProjection> logger)
{
    public const string Channel = "inbox";
    private const int SnapshotEvery = 500;
    private const int KeepBehindSnapshot = 2000;
    private const int MaxBatch = 4096;

    /// <summary>
    /// The background fold runs at most this often. An idle inbox updates at once (the first op after a quiet moment is
    /// folded immediately); under load the ops of this window are coalesced into one summary per conversation, so a
    /// busy conversation costs a few summaries a second instead of one per message. Measured in docs/benchmarks.md:
    /// at 100 conversations × 20 msg/s, folding every message doubled the server's work per message.
    /// </summary>
    private static readonly TimeSpan MinFlushInterval = TimeSpan.FromMilliseconds(500);
    private static readonly KefuPrincipal InboxWriter = new("system", "KefuSync", PrincipalRole.Server, null, null);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly System.Threading.Channels.Channel<PendingOp> _pending = System.Threading.Channels.Channel.CreateBounded<PendingOp>(
        new System.Threading.Channels.BoundedChannelOptions(10_000) { FullMode = System.Threading.Channels.BoundedChannelFullMode.Wait });
    private int _draining;
    private readonly SemaphoreSlim _pressure = new(0, 1);
    private int _pressed; // 1 while _pressure holds a release nobody consumed yet
    private long _lastFlushAt; // Stopwatch timestamp of the last background fold (0: never, i.e. long ago)
    private readonly Dictionary<string, ConversationSummary> _items = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<PendingOp>> _groups = new(StringComparer.Ordinal);
    private readonly Stack<List<PendingOp>> _spareGroups = new();
    private readonly ISnapshotStore? _snapshots = (ISnapshotStore?)services.GetService(typeof(ISnapshotStore));
    private long _revision;
    private bool _loaded;
    private int _sinceSnapshot;

    /// <summary>
    /// Queues a committed conversation op for the inbox. The fold and the inbox append run in the background, off the
    /// client's submit path, and a busy moment is coalesced into one summary per conversation: at 2,000 messages a
    /// second the inbox must not be a global lock every message waits for. The queue is bounded; when the writer
    /// lags that far behind, callers wait (backpressure) rather than the queue growing without end.
    /// </summary>
    public ValueTask EnqueueAsync(string key, KefuPrincipal author, long revision, DateTimeOffset timestamp, MessageOp op)
    {
        var item = new PendingOp(key, author, revision, timestamp.ToUnixTimeMilliseconds(), op);
        if (_pending.Writer.TryWrite(item))
        {
            ScheduleDrain();
            return ValueTask.CompletedTask;
        }

        return SlowEnqueueAsync(item);
    }

    private async ValueTask SlowEnqueueAsync(PendingOp item)
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
            // Real time, not the TimeProvider: this paces work, it is not a logical timeout (and a test's fake clock must
            // not stall the inbox).
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

    /// <summary>Folds one conversation's queued ops into its summary and appends the summary to the inbox channel.</summary>
    private async Task FoldAsync(string key, List<PendingOp> ops, CancellationToken cancellationToken)
    {
        var last = 0L;
        foreach (var op in ops)
        {
            last = Math.Max(last, op.Revision);
        }

        var id = $"c:{key}:{last}";
        for (var attempt = 0; ; attempt++)
        {
            await CatchUpAsync(cancellationToken).ConfigureAwait(false);
            var summary = _items.GetValueOrDefault(key) ?? new ConversationSummary { Key = key, Created = ops[0].Timestamp };
            foreach (var op in ops)
            {
                summary = ConversationFold.Apply(summary, op.Author, op.Revision, op.Timestamp, op.Op);
            }

            var payload = JsonSerializer.SerializeToUtf8Bytes(summary, InboxJsonContext.Default.ConversationSummary);
            var now = time.GetUtcNow();
            var result = await store.AppendAsync(Channel, _revision, new OpDraft(id, InboxWriter.Id, now, payload), cancellationToken).ConfigureAwait(false);
            if (result.Status == AppendStatus.Conflict)
            {
                if (attempt < 8)
                {
                    continue; // another node appended: catch up and fold again
                }

                Log.InboxContended(logger, key);
                break;
            }

            if (result.Status == AppendStatus.Duplicate && result.Revision != _revision + 1)
            {
                break; // this very fold was appended before (another node, or a retry)
            }

            _items[key] = summary;
            _revision = result.Revision;
            await fanOut.PublishCommittedAsync(Channel, result.Revision, FrameWriter.Op(Channel, result.Revision, id, InboxWriter.Id, now.ToUnixTimeMilliseconds(), payload)).ConfigureAwait(false);
            await MaybeSnapshotAsync(cancellationToken).ConfigureAwait(false);
            break;
        }
    }

    /// <summary>Summaries for a console: by last activity, newest first, filtered.</summary>
    public async Task<(IReadOnlyList<ConversationSummary> Items, long Revision)> ListAsync(string filter, string agentId, int count, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Read your own writes: fold what this node has queued before answering.
            await FlushLockedAsync(cancellationToken).ConfigureAwait(false);
            await CatchUpAsync(cancellationToken).ConfigureAwait(false);
            IEnumerable<ConversationSummary> items = _items.Values;
            items = filter switch
            {
                "mine" => items.Where(s => s.Assignee == agentId && s.Status != "closed"),
                "unassigned" => items.Where(s => s.Assignee is null && s.Status != "closed"),
                "closed" => items.Where(s => s.Status == "closed"),
                _ => items.Where(s => s.Status != "closed"),
            };
            return ([.. items.OrderByDescending(s => s.Activity).Take(count)], _revision);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Every summary that <paramref name="where"/> selects (the email follow-up looks for unread replies with it).</summary>
    public async Task<List<ConversationSummary>> WhereAsync(Func<ConversationSummary, bool> where, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await FlushLockedAsync(cancellationToken).ConfigureAwait(false);
            await CatchUpAsync(cancellationToken).ConfigureAwait(false);
            return [.. _items.Values.Where(where)];
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>One conversation's summary, or null.</summary>
    public async Task<ConversationSummary?> GetAsync(string key, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await FlushLockedAsync(cancellationToken).ConfigureAwait(false);
            await CatchUpAsync(cancellationToken).ConfigureAwait(false);
            return _items.GetValueOrDefault(key);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        if (!_loaded)
        {
            var snapshot = _snapshots is null ? null : await _snapshots.GetSnapshotAsync(Channel, cancellationToken).ConfigureAwait(false);
            if (snapshot is not null)
            {
                foreach (var item in JsonSerializer.Deserialize(snapshot.State.Span, InboxJsonContext.Default.ConversationSummaryArray) ?? [])
                {
                    _items[item.Key] = item;
                }

                _revision = snapshot.Revision;
            }

            _loaded = true;
        }

        while (true)
        {
            var ops = await store.ReadAsync(Channel, _revision, 1000, cancellationToken).ConfigureAwait(false);
            if (ops.Count == 0)
            {
                return;
            }

            foreach (var op in ops)
            {
                var summary = JsonSerializer.Deserialize(op.Payload.Span, InboxJsonContext.Default.ConversationSummary);
                if (summary is not null)
                {
                    _items[summary.Key] = summary;
                }

                _revision = op.Revision;
            }
        }
    }

    private async Task MaybeSnapshotAsync(CancellationToken cancellationToken)
    {
        if (_snapshots is null || ++_sinceSnapshot < SnapshotEvery)
        {
            return;
        }

        _sinceSnapshot = 0;
        try
        {
            var state = JsonSerializer.SerializeToUtf8Bytes([.. _items.Values], InboxJsonContext.Default.ConversationSummaryArray);
            await _snapshots.SaveSnapshotAsync(Channel, new Snapshot(_revision, state), cancellationToken).ConfigureAwait(false);
            if (_revision > KeepBehindSnapshot)
            {
                await _snapshots.TrimAsync(Channel, _revision - KeepBehindSnapshot, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.InboxSnapshotFailed(logger, ex);
        }
    }

    private readonly record struct PendingOp(string Key, KefuPrincipal Author, long Revision, long Timestamp, MessageOp Op);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1703, EventName = "InboxUpdateFailed", Level = LogLevel.Warning, Message = "Updating inbox summaries failed; they catch up at each conversation's next op.")]
        public static partial void InboxUpdateFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 1701, EventName = "InboxContended", Level = LogLevel.Warning, Message = "Updating the inbox summary of {Key} kept conflicting; it is refreshed by the conversation's next op.")]
        public static partial void InboxContended(ILogger logger, string key);

        [LoggerMessage(EventId = 1702, EventName = "InboxSnapshotFailed", Level = LogLevel.Warning, Message = "Snapshotting the inbox failed.")]
        public static partial void InboxSnapshotFailed(ILogger logger, Exception exception);
    }
}
