using System.Text.Json;
using KefuSync.Protocol;
using KefuSync.Security;
using KefuSync.Stores;
using KefuSync.Sync;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KefuSync.Conversations;

/// <summary>
/// The <c>inbox</c> channel (docs/protocol.md §5.3): one summary per conversation, written only by the server. Its
/// state is the fold of the channel's log (the store stays the source of truth: <see cref="LoadAsync"/> catches up from
/// it before every fold), snapshotted and trimmed by <see cref="KefuRetentionOptions"/> so a restart does not replay the
/// whole inbox. Each op's client op id is <c>c:KEY:REV</c>, so two nodes can never append the same fold twice.
/// </summary>
/// <remarks>
/// Only <see cref="InboxProjection"/> commits here, under its own gate, which also guards <see cref="List"/>: the state
/// below is never touched by two threads at once.
/// </remarks>
internal sealed partial class InboxHandler(IOpStore store, IServiceProvider services, IOptionsMonitor<KefuSyncOptions> options, ILogger<InboxHandler> logger) : ChannelKindHandler<InboxFold>
{
    private static readonly ChannelKind[] InboxKinds = [ChannelKind.Inbox];

    private readonly Dictionary<string, ConversationSummary> _items = new(StringComparer.Ordinal);

    // Every key, in ordinal order: the REST API pages by key (a boundary that stays put while conversations change), and
    // a page must not sort the whole inbox. A key is inserted once, when its conversation first appears.
    private readonly List<string> _keys = [];
    private readonly ISnapshotStore? _snapshots = (ISnapshotStore?)services.GetService(typeof(ISnapshotStore));
    private long _revision;
    private bool _loaded;
    private int _sinceSnapshot;

    public override IReadOnlyList<ChannelKind> Kinds => InboxKinds;

    /// <summary>Summaries are derived from conversation ops, which observers and the ops counter saw already.</summary>
    public override bool IsDerived => true;

    public override string ConflictMessage => "The inbox kept changing.";

    /// <summary>The revision of the inbox this node has folded.</summary>
    public long Revision => _revision;

    /// <summary>No client, agent or host writes the inbox: it is a projection of the conversations.</summary>
    public override bool TryRead(KefuPrincipal author, ChannelName channel, long baseRevision, ReadOnlyMemory<byte> json, out InboxFold op, out SubmitResult refusal)
    {
        op = default;
        refusal = SubmitResult.Fail(ErrorCodes.Forbidden, "Only the server writes this channel.");
        return false;
    }

    public override async ValueTask<long> LoadAsync(ChannelName channel, ChannelRuntime runtime, CancellationToken cancellationToken)
    {
        await CatchUpAsync(cancellationToken).ConfigureAwait(false);
        return _revision;
    }

    public override ValueTask<PreparedOp<InboxFold>> PrepareAsync(KefuPrincipal author, ChannelName channel, ChannelRuntime runtime, long baseRevision, InboxFold op, long head, CancellationToken cancellationToken)
        => new(Fold(op));

    public override async ValueTask<PreparedOp<InboxFold>> RebaseAsync(KefuPrincipal author, ChannelName channel, ChannelRuntime runtime, PreparedOp<InboxFold> prepared, long storeHead, CancellationToken cancellationToken)
    {
        // Another node appended: catch up and fold again on top of its summaries.
        await CatchUpAsync(cancellationToken).ConfigureAwait(false);
        return Fold(prepared.Op);
    }

    public override void Apply(ChannelRuntime runtime, in CommittedOp<InboxFold> committed)
    {
        Put(committed.Op.Summary!);
        _revision = committed.Revision;
    }

    public override async ValueTask AfterCommitAsync(ChannelRuntime runtime, CommittedOp<InboxFold> committed, CancellationToken cancellationToken)
    {
        var retention = options.CurrentValue.Retention;
        if (_snapshots is null || ++_sinceSnapshot < retention.SnapshotEvery)
        {
            return;
        }

        _sinceSnapshot = 0;
        try
        {
            var state = JsonSerializer.SerializeToUtf8Bytes([.. _items.Values], InboxJsonContext.Default.ConversationSummaryArray);
            await _snapshots.SaveSnapshotAsync(ChannelName.Inbox.Value, new Snapshot(_revision, state), cancellationToken).ConfigureAwait(false);
            var trimTo = _revision - retention.KeepOpsBehindSnapshot;
            if (trimTo > 0)
            {
                await _snapshots.TrimAsync(ChannelName.Inbox.Value, trimTo, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.InboxSnapshotFailed(logger, ex);
        }
    }

    /// <summary>Summaries for a console: by last activity, newest first, filtered (<see cref="ConversationRules.MatchesFilter"/>). Call under the projection's gate, after <see cref="CatchUpAsync"/>.</summary>
    public IReadOnlyList<ConversationSummary> List(string filter, string agentId, int count)
        => [.. _items.Values.Where(s => ConversationRules.MatchesFilter(s, filter, agentId)).OrderByDescending(s => s.Activity).Take(count)];

    /// <summary>The summary of conversation <paramref name="key"/>, or null. Call under the projection's gate, after <see cref="CatchUpAsync"/>.</summary>
    public ConversationSummary? Find(string key) => _items.GetValueOrDefault(key);

    /// <summary>
    /// Up to <paramref name="count"/> summaries that <paramref name="where"/> selects, with keys ordinally after
    /// <paramref name="after"/> (all when null), in key order: a binary search to the boundary, then only as many as the
    /// page needs. Call under the projection's gate, after <see cref="CatchUpAsync"/>.
    /// </summary>
    public List<ConversationSummary> Page(string? after, int count, Func<ConversationSummary, bool> where)
    {
        var start = 0;
        if (after is not null)
        {
            var at = _keys.BinarySearch(after, StringComparer.Ordinal);
            start = at >= 0 ? at + 1 : ~at;
        }

        var page = new List<ConversationSummary>(Math.Min(count, 128));
        for (var i = start; i < _keys.Count && page.Count < count; i++)
        {
            var summary = _items[_keys[i]];
            if (where(summary))
            {
                page.Add(summary);
            }
        }

        return page;
    }

    /// <summary>Every summary <paramref name="where"/> selects. Call under the projection's gate, after <see cref="CatchUpAsync"/>.</summary>
    public List<ConversationSummary> Where(Func<ConversationSummary, bool> where) => [.. _items.Values.Where(where)];

    private void Put(ConversationSummary summary)
    {
        if (_items.TryAdd(summary.Key, summary))
        {
            var at = _keys.BinarySearch(summary.Key, StringComparer.Ordinal);
            _keys.Insert(~at, summary.Key);
        }
        else
        {
            _items[summary.Key] = summary;
        }
    }

    /// <summary>Brings the fold up to the store's head (loading the snapshot first, once).</summary>
    public async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        var channel = ChannelName.Inbox.Value;
        if (!_loaded)
        {
            var snapshot = _snapshots is null ? null : await _snapshots.GetSnapshotAsync(channel, cancellationToken).ConfigureAwait(false);
            if (snapshot is not null)
            {
                foreach (var item in JsonSerializer.Deserialize(snapshot.State.Span, InboxJsonContext.Default.ConversationSummaryArray) ?? [])
                {
                    Put(item);
                }

                _revision = snapshot.Revision;
            }

            _loaded = true;
        }

        while (true)
        {
            var ops = await store.ReadAsync(channel, _revision, 1000, cancellationToken).ConfigureAwait(false);
            if (ops.Count == 0)
            {
                return;
            }

            foreach (var op in ops)
            {
                var summary = JsonSerializer.Deserialize(op.Payload.Span, InboxJsonContext.Default.ConversationSummary);
                if (summary is not null)
                {
                    Put(summary);
                }

                _revision = op.Revision;
            }
        }
    }

    private PreparedOp<InboxFold> Fold(InboxFold fold)
    {
        var ops = fold.Ops;
        var summary = _items.GetValueOrDefault(fold.Key) ?? new ConversationSummary { Key = fold.Key, Created = ops[0].Timestamp };
        summary = ConversationFold.ApplyAll(summary, ops);
        var payload = JsonSerializer.SerializeToUtf8Bytes(summary, InboxJsonContext.Default.ConversationSummary);
        return PreparedOp<InboxFold>.Ready(fold with { Summary = summary }, _revision, payload);
    }
}
