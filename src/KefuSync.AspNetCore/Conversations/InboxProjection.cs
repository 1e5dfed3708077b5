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
    private static readonly KefuPrincipal System = new("system", "KefuSync", PrincipalRole.Server, null, null);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, ConversationSummary> _items = new(StringComparer.Ordinal);
    private readonly ISnapshotStore? _snapshots = (ISnapshotStore?)services.GetService(typeof(ISnapshotStore));
    private long _revision;
    private bool _loaded;
    private int _sinceSnapshot;

    /// <summary>Folds a committed conversation op into its summary and appends the summary to the inbox.</summary>
    public async Task OnConversationOpAsync(string key, KefuPrincipal author, long revision, DateTimeOffset timestamp, MessageOp op, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; attempt < 8; attempt++)
            {
                await CatchUpAsync(cancellationToken).ConfigureAwait(false);
                var current = _items.GetValueOrDefault(key) ?? new ConversationSummary { Key = key, Created = timestamp.ToUnixTimeMilliseconds() };
                var next = ConversationFold.Apply(current, author, revision, timestamp.ToUnixTimeMilliseconds(), op);
                var payload = JsonSerializer.SerializeToUtf8Bytes(next, InboxJsonContext.Default.ConversationSummary);
                var now = time.GetUtcNow();
                var id = $"c:{key}:{revision}";
                var result = await store.AppendAsync(Channel, _revision, new OpDraft(id, System.Id, now, payload), cancellationToken).ConfigureAwait(false);
                if (result.Status == AppendStatus.Duplicate)
                {
                    return;
                }

                if (result.Status == AppendStatus.Conflict)
                {
                    continue; // another node appended: catch up and fold again
                }

                _items[key] = next;
                _revision = result.Revision;
                await fanOut.PublishCommittedAsync(Channel, result.Revision, FrameWriter.Op(Channel, result.Revision, id, System.Id, now.ToUnixTimeMilliseconds(), payload)).ConfigureAwait(false);
                await MaybeSnapshotAsync(cancellationToken).ConfigureAwait(false);
                return;
            }

            Log.InboxContended(logger, key);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Summaries for a console: by last activity, newest first, filtered.</summary>
    public async Task<(IReadOnlyList<ConversationSummary> Items, long Revision)> ListAsync(string filter, string agentId, int count, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
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

    /// <summary>One conversation's summary, or null.</summary>
    public async Task<ConversationSummary?> GetAsync(string key, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
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

    private static partial class Log
    {
        [LoggerMessage(EventId = 1701, EventName = "InboxContended", Level = LogLevel.Warning, Message = "Updating the inbox summary of {Key} kept conflicting; it is refreshed by the conversation's next op.")]
        public static partial void InboxContended(ILogger logger, string key);

        [LoggerMessage(EventId = 1702, EventName = "InboxSnapshotFailed", Level = LogLevel.Warning, Message = "Snapshotting the inbox failed.")]
        public static partial void InboxSnapshotFailed(ILogger logger, Exception exception);
    }
}
