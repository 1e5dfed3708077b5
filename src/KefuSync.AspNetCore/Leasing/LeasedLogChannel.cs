using KefuSync.Protocol;
using KefuSync.Stores;

namespace KefuSync.Leasing;

/// <summary>
/// Reads and compacts a <see cref="LeasedLog"/> in the op store: catch-up (from the snapshot when the records behind
/// it were trimmed), the <c>start</c> record, and, every <see cref="SnapshotEvery"/> records, a snapshot with the log
/// trimmed behind it, so a reader's log stays a snapshot and a few records however long it runs.
/// </summary>
/// <remarks>
/// The fold is changed under <paramref name="sync"/> (a reader whose passes run in parallel shares it with them).
/// <see cref="CompactAsync"/> is called by the one writer of the log, after a record it appended.
/// </remarks>
internal sealed class LeasedLogChannel(IOpStore store, ISnapshotStore? snapshots, LeasedLog log, Lock sync)
{
    private const int Page = 500;
    private const int KeepBehindSnapshot = 20;
    private long _snapshotAt; // the revision of the last snapshot this node wrote or read

    /// <summary>Records between two snapshots of the log (a test lowers it).</summary>
    public int SnapshotEvery { get; set; } = 500;

    /// <summary>Folds the records this node has not seen.</summary>
    public async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var ops = await store.ReadAsync(log.Channel, log.Head, Page, cancellationToken).ConfigureAwait(false);
            if (ops.Count > 0 && ops[0].Revision > log.Head + 1 && snapshots is not null
                && await snapshots.GetSnapshotAsync(log.Channel, cancellationToken).ConfigureAwait(false) is { } snapshot
                && snapshot.Revision > log.Head)
            {
                // Trimmed behind a snapshot: start from it, then read the records after it.
                lock (sync)
                {
                    log.Restore(snapshot.Revision, snapshot.State.Span);
                }

                _snapshotAt = Math.Max(_snapshotAt, snapshot.Revision);
                continue;
            }

            lock (sync)
            {
                foreach (var op in ops)
                {
                    if (op.Revision > log.Head)
                    {
                        log.Apply(op.Revision, op.Payload.Span);
                    }
                }
            }

            if (ops.Count < Page)
            {
                return;
            }
        }
    }

    /// <summary>Writes the <c>start</c> record if the log is new: what was committed before it is not acted on.</summary>
    public async Task StartAsync(string node, TimeProvider time, CancellationToken cancellationToken)
    {
        await CatchUpAsync(cancellationToken).ConfigureAwait(false);
        if (log.Head > 0)
        {
            return;
        }

        var inbox = await store.GetRevisionAsync(ChannelName.Inbox.Value, cancellationToken).ConfigureAwait(false);
        var payload = LeasedLog.Start(time.GetUtcNow().ToUnixTimeMilliseconds(), inbox);
        var result = await store.AppendAsync(log.Channel, 0, new OpDraft("start", node, time.GetUtcNow(), payload), cancellationToken).ConfigureAwait(false);
        if (result.Status == AppendStatus.Appended)
        {
            lock (sync)
            {
                log.Apply(result.Revision, payload);
            }
        }
        else
        {
            await CatchUpAsync(cancellationToken).ConfigureAwait(false); // another node started it first
        }
    }

    /// <summary>
    /// Snapshots the fold and trims the log behind it (keeping a few records for nodes slightly behind) when
    /// <see cref="SnapshotEvery"/> records came since the last snapshot. A failure is handed to
    /// <paramref name="failed"/>: the log only grows until the next try.
    /// </summary>
    public async Task CompactAsync(Action<Exception> failed, CancellationToken cancellationToken)
    {
        if (snapshots is null || log.Head - _snapshotAt < SnapshotEvery)
        {
            return;
        }

        try
        {
            long revision;
            byte[] state;
            lock (sync)
            {
                (revision, state) = (log.Head, log.ToSnapshot());
            }

            await snapshots.SaveSnapshotAsync(log.Channel, new Snapshot(revision, state), cancellationToken).ConfigureAwait(false);
            _snapshotAt = revision;
            var keep = Math.Min(KeepBehindSnapshot, SnapshotEvery);
            if (revision - keep > 0)
            {
                await snapshots.TrimAsync(log.Channel, revision - keep, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            failed(ex);
        }
    }
}
