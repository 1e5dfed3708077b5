using System.Text.Json;
using KefuSync.Protocol;
using KefuSync.Stores;

namespace KefuSync.Leasing;

/// <summary>
/// A small server-written log of named items that admins change now and then (the console's API keys and webhook
/// endpoints): read through <see cref="JsonRecord.TryApply"/> into a list, cached per head, so an unchanged log costs
/// one read of its head; every change is appended at the head it read, so a check and its write are one step.
/// </summary>
/// <param name="store">Where the log lives.</param>
/// <param name="channel">The log's name in the store (not a protocol channel: no client can read or write it).</param>
/// <param name="apply">Folds one record (its kind, its root, the stored op) into the items; called in log order.</param>
internal sealed class ServerLog<T>(IOpStore store, string channel, Action<List<T>, string?, JsonElement, OpRecord> apply)
{
    private Fold _fold = new(0, []);

    /// <summary>The items as of <see cref="Head"/>.</summary>
    public sealed record Fold(long Head, IReadOnlyList<T> Items);

    public string Channel => channel;

    /// <summary>The items as of the log's head now. Throws when the store cannot be read.</summary>
    public async Task<Fold> ReadAsync(CancellationToken cancellationToken)
    {
        var head = await store.GetRevisionAsync(channel, cancellationToken).ConfigureAwait(false);
        var fold = Volatile.Read(ref _fold);
        if (head == fold.Head)
        {
            return fold;
        }

        // The log only grows, so a newer head folds on from the cached one; a head behind it (a store swapped under a
        // running node) folds from the start.
        var from = head > fold.Head ? fold : new Fold(0, []);
        var items = from.Items.ToList();
        var at = from.Head;
        while (at < head)
        {
            var ops = await store.ReadAsync(channel, at, 500, cancellationToken).ConfigureAwait(false);
            if (ops.Count == 0)
            {
                break;
            }

            foreach (var op in ops)
            {
                JsonRecord.TryApply(op.Payload.Span, (kind, record) => apply(items, kind, record, op));
                at = op.Revision;
            }
        }

        var next = new Fold(at, items);
        Volatile.Write(ref _fold, next);
        return next;
    }

    /// <summary>Appends a record at <paramref name="head"/>: false when the log moved on since (read again and re-check).</summary>
    public async Task<bool> AppendAsync(long head, string opId, string by, DateTimeOffset at, byte[] payload, CancellationToken cancellationToken)
        => (await store.AppendAsync(channel, head, new OpDraft(opId, by, at, payload), cancellationToken).ConfigureAwait(false)).Status != AppendStatus.Conflict;
}
