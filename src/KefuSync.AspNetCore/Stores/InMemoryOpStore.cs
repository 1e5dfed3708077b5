using System.Collections.Concurrent;

namespace KefuSync.Stores;

/// <summary>
/// The embedded default store: per-channel logs in process memory. Fast and correct on one node; everything is gone
/// when the process stops. Use the EF Core or Redis store for anything that must survive a restart.
/// </summary>
internal sealed class InMemoryOpStore : IOpStore, ISnapshotStore
{
    private readonly ConcurrentDictionary<string, ChannelLog> _channels = new(StringComparer.Ordinal);

    public Task<AppendResult> AppendAsync(string channel, long expectedRevision, OpDraft op, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(op);
        var log = _channels.GetOrAdd(channel, static _ => new ChannelLog());
        lock (log)
        {
            if (log.ClientOps.TryGetValue(op.ClientOpId, out var original))
            {
                return Task.FromResult(AppendResult.Duplicate(original));
            }

            if (log.Head != expectedRevision)
            {
                return Task.FromResult(AppendResult.Conflict(log.Head));
            }

            var revision = log.Head + 1;
            // Copy the payload: the caller's buffer may be pooled and reused after this call returns.
            log.Ops.Add(new OpRecord(revision, op.ClientOpId, op.Author, op.Timestamp, op.Payload.ToArray()));
            log.ClientOps[op.ClientOpId] = revision;
            return Task.FromResult(AppendResult.Appended(revision));
        }
    }

    public Task<long> GetRevisionAsync(string channel, CancellationToken cancellationToken = default)
    {
        if (!_channels.TryGetValue(channel, out var log))
        {
            return Task.FromResult(0L);
        }

        lock (log)
        {
            return Task.FromResult(log.Head);
        }
    }

    public Task<IReadOnlyList<OpRecord>> ReadAsync(string channel, long afterRevision, int maxCount, CancellationToken cancellationToken = default)
    {
        if (maxCount <= 0 || !_channels.TryGetValue(channel, out var log))
        {
            return Task.FromResult<IReadOnlyList<OpRecord>>([]);
        }

        lock (log)
        {
            // Ops[i] has revision FirstRevision + i, so the start index is arithmetic, not a search.
            if (afterRevision >= log.Head)
            {
                return Task.FromResult<IReadOnlyList<OpRecord>>([]);
            }

            // Clamp in long before narrowing: a hostile afterRevision must not overflow into a valid index.
            var start = (int)Math.Clamp(afterRevision + 1 - log.FirstRevision, 0, log.Ops.Count);
            var count = Math.Min(maxCount, log.Ops.Count - start);
            return Task.FromResult<IReadOnlyList<OpRecord>>(count <= 0 ? [] : log.Ops.GetRange(start, count).ToArray());
        }
    }

    public Task<IReadOnlyList<OpRecord>> ReadBeforeAsync(string channel, long beforeRevision, int maxCount, CancellationToken cancellationToken = default)
    {
        if (maxCount <= 0 || !_channels.TryGetValue(channel, out var log))
        {
            return Task.FromResult<IReadOnlyList<OpRecord>>([]);
        }

        lock (log)
        {
            var end = beforeRevision > log.Head ? log.Ops.Count : (int)Math.Clamp(beforeRevision - log.FirstRevision, 0, log.Ops.Count); // exclusive index
            var start = Math.Max(0, end - maxCount);
            var count = end - start;
            return Task.FromResult<IReadOnlyList<OpRecord>>(count <= 0 ? [] : log.Ops.GetRange(start, count).ToArray());
        }
    }

    public Task SaveSnapshotAsync(string channel, Snapshot snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var log = _channels.GetOrAdd(channel, static _ => new ChannelLog());
        lock (log)
        {
            if (log.Snapshot is null || log.Snapshot.Revision < snapshot.Revision)
            {
                log.Snapshot = snapshot with { State = snapshot.State.ToArray() };
            }
        }

        return Task.CompletedTask;
    }

    public Task<Snapshot?> GetSnapshotAsync(string channel, CancellationToken cancellationToken = default)
    {
        if (!_channels.TryGetValue(channel, out var log))
        {
            return Task.FromResult<Snapshot?>(null);
        }

        lock (log)
        {
            return Task.FromResult(log.Snapshot);
        }
    }

    public Task<long> TrimAsync(string channel, long upToRevision, CancellationToken cancellationToken = default)
    {
        if (!_channels.TryGetValue(channel, out var log))
        {
            return Task.FromResult(0L);
        }

        lock (log)
        {
            var limit = Math.Min(upToRevision, log.Snapshot?.Revision ?? 0);
            var count = (int)Math.Clamp(limit - log.FirstRevision + 1, 0, log.Ops.Count);
            if (count > 0)
            {
                log.Ops.RemoveRange(0, count);
                log.FirstRevision += count;
            }

            return Task.FromResult((long)count);
        }
    }

    private sealed class ChannelLog
    {
        public readonly List<OpRecord> Ops = [];
        public readonly Dictionary<string, long> ClientOps = new(StringComparer.Ordinal);
        public long FirstRevision = 1;
        public Snapshot? Snapshot;

        public long Head => FirstRevision + Ops.Count - 1;
    }
}
