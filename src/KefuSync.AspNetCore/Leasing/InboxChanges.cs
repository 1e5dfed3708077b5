using System.Text.Json;
using KefuSync.Conversations;
using KefuSync.Protocol;
using KefuSync.Stores;

namespace KefuSync.Leasing;

/// <summary>
/// What an inbox reader has to look at after its cursor: the conversations whose summaries the inbox committed (docs
/// protocol.md §4.3), each once, in the order they first changed, and the inbox revision they go up to.
/// </summary>
internal readonly record struct InboxChanges(IReadOnlyList<string> Keys, long Through)
{
    /// <summary>At most <paramref name="count"/> summaries after <paramref name="from"/>; null when there are none.</summary>
    public static async Task<InboxChanges?> ReadAsync(IOpStore store, ISnapshotStore? snapshots, long from, int count, CancellationToken cancellationToken)
    {
        var ops = await store.ReadAsync(ChannelName.Inbox.Value, from, count, cancellationToken).ConfigureAwait(false);
        if (ops.Count == 0)
        {
            return null;
        }

        var keys = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (ops[0].Revision > from + 1 && snapshots is not null)
        {
            // The inbox was trimmed behind a snapshot past this cursor: every conversation of the snapshot may have news.
            var snapshot = await snapshots.GetSnapshotAsync(ChannelName.Inbox.Value, cancellationToken).ConfigureAwait(false);
            var summaries = snapshot is null ? null : JsonSerializer.Deserialize(snapshot.State.Span, InboxJsonContext.Default.ConversationSummaryArray);
            foreach (var summary in summaries ?? [])
            {
                if (seen.Add(summary.Key))
                {
                    keys.Add(summary.Key);
                }
            }
        }

        foreach (var op in ops)
        {
            if (KeyOf(op.Payload.Span) is { } key && seen.Add(key))
            {
                keys.Add(key);
            }
        }

        return new InboxChanges(keys, ops[^1].Revision);
    }

    /// <summary>The <c>key</c> of a summary; null for a record that is not one (the inbox is the server's, but may be newer).</summary>
    private static string? KeyOf(ReadOnlySpan<byte> summary) => JsonRecord.TopLevelString(summary, "key"u8);
}
