using System.Collections.Concurrent;

namespace KefuSync.Stores;

/// <summary>
/// The embedded default store: per-channel logs in process memory. Fast and correct on one node; everything is gone
/// when the process stops. Use the EF Core or Redis store for anything that must survive a restart.
/// </summary>
/// <remarks>
/// Layout (see <see cref="ChannelLog"/>): a log keeps its ops as structs in one array and their payload bytes packed in a
/// few large byte chunks, not as an <see cref="OpRecord"/> and a payload array per op. This store holds every message
/// a busy server ever committed, and the garbage collector has to promote all of it: measured in docs/benchmarks.md,
/// three small objects per message made each gen0/gen1 pause grow with the message rate. Records are built on read.
/// </remarks>
internal sealed class InMemoryOpStore : IOpStore, ISnapshotStore, ISynchronousAppend
{
    private readonly ConcurrentDictionary<string, ChannelLog> _channels = new(StringComparer.Ordinal);

    public Task<AppendResult> AppendAsync(string channel, long expectedRevision, OpDraft op, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(op);
        return Task.FromResult(Append(channel, expectedRevision, op.ClientOpId, op.Author, op.Timestamp, op.Payload.Span, op.Sequence));
    }

    /// <summary><see cref="AppendAsync"/> without its <see cref="Task{TResult}"/> and <see cref="OpDraft"/> (<see cref="ISynchronousAppend"/>).</summary>
    public AppendResult Append(string channel, long expectedRevision, string clientOpId, string author, DateTimeOffset timestamp, ReadOnlySpan<byte> payload, OpSequence? sequence)
    {
        ArgumentNullException.ThrowIfNull(clientOpId);
        var log = _channels.GetOrAdd(channel, static _ => new ChannelLog());
        lock (log)
        {
            if (log.FindDuplicate(clientOpId, sequence) is { } original)
            {
                return AppendResult.Duplicate(original);
            }

            if (log.Head != expectedRevision)
            {
                return AppendResult.Conflict(log.Head);
            }

            // Append copies the payload: the caller's buffer may be pooled and reused after this call returns.
            var revision = log.Append(clientOpId, author, timestamp, payload);
            if (sequence is { } mark)
            {
                // Only the client's mark, never the id: a text channel's dedupe state grows with its clients, not its keystrokes.
                log.Sequences[mark.Client] = (mark.Number, revision);
            }
            else
            {
                log.ClientOps[clientOpId] = revision;
            }

            return AppendResult.Appended(revision);
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
            // Entry i has revision FirstRevision + i, so the start index is arithmetic, not a search.
            if (afterRevision >= log.Head)
            {
                return Task.FromResult<IReadOnlyList<OpRecord>>([]);
            }

            // Clamp in long before narrowing: a hostile afterRevision must not overflow into a valid index.
            var start = (int)Math.Clamp(afterRevision + 1 - log.FirstRevision, 0, log.Count);
            var count = Math.Min(maxCount, log.Count - start);
            return Task.FromResult(log.Records(start, count));
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
            var end = beforeRevision > log.Head ? log.Count : (int)Math.Clamp(beforeRevision - log.FirstRevision, 0, log.Count); // exclusive index
            var start = Math.Max(0, end - maxCount);
            return Task.FromResult(log.Records(start, end - start));
        }
    }

    public Task<long?> FindClientOpAsync(string channel, string clientOpId, CancellationToken cancellationToken = default)
        => FindDuplicateAsync(channel, clientOpId, null, cancellationToken);

    public Task<long?> FindDuplicateAsync(string channel, string clientOpId, OpSequence? sequence, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clientOpId);
        if (!_channels.TryGetValue(channel, out var log))
        {
            return Task.FromResult<long?>(null);
        }

        lock (log)
        {
            return Task.FromResult(log.FindDuplicate(clientOpId, sequence));
        }
    }

    /// <summary>
    /// The dedupe entries held: remembered client op ids plus sequence high-water marks, over every channel. The trace
    /// replay prints it (docs/benchmarks.md): it grows with the retained ops and the clients, not with the edits.
    /// </summary>
    internal long DedupeEntries
    {
        get
        {
            long total = 0;
            foreach (var (_, log) in _channels)
            {
                lock (log)
                {
                    total += log.ClientOps.Count + log.Sequences.Count;
                }
            }

            return total;
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
            var count = (int)Math.Clamp(limit - log.FirstRevision + 1, 0, log.Count);
            log.ForgetIds(count);
            log.RemoveFirst(count);
            return Task.FromResult((long)count);
        }
    }

    /// <summary>
    /// One channel's log. Ops are <see cref="Entry"/> structs in one growing array; payload bytes are packed end to end
    /// in chunks that start small (a conversation with three messages holds a few hundred bytes, not a 32 KiB block) and
    /// double up to <see cref="MaxChunk"/>. A chunk is only ever appended to, so the memory handed out by
    /// <see cref="Records"/> never changes under a reader. <see cref="ClientOps"/> holds the ids of the retained ops that
    /// had no sequence (a trim forgets those of the ops it removes), <see cref="Sequences"/> one high-water mark per
    /// sequenced client, kept for the life of the channel (IOpStore rule 3). Every member is used under the log's lock.
    /// </summary>
    private sealed class ChannelLog
    {
        private const int MinChunk = 256;
        private const int MaxChunk = 32 * 1024; // below the large object heap threshold: chunks are promoted like any small array

        private readonly List<byte[]> _chunks = [];
        private Entry[] _entries = [];
        private int _start; // index in _entries of the op at FirstRevision (trimmed entries before it are cleared)
        private int _end;
        private int _chunkBase; // absolute number of _chunks[0]
        private int _fill; // bytes used in the last chunk

        public readonly Dictionary<string, long> ClientOps = new(StringComparer.Ordinal);

        public readonly Dictionary<string, (long Number, long Revision)> Sequences = new(StringComparer.Ordinal);

        public long FirstRevision { get; private set; } = 1;

        public Snapshot? Snapshot { get; set; }

        public int Count => _end - _start;

        public long Head => FirstRevision + Count - 1;

        public long Append(string clientOpId, string author, DateTimeOffset timestamp, ReadOnlySpan<byte> payload)
        {
            var last = _chunks.Count == 0 ? null : _chunks[^1];
            if (last is null || last.Length - _fill < payload.Length)
            {
                var size = Math.Max(payload.Length, Math.Min(MaxChunk, Math.Max(MinChunk, (last?.Length ?? 0) * 2)));
                _chunks.Add(last = new byte[size]);
                _fill = 0;
            }

            payload.CopyTo(last.AsSpan(_fill));
            if (_end == _entries.Length)
            {
                Grow();
            }

            _entries[_end++] = new Entry(_chunkBase + _chunks.Count - 1, _fill, payload.Length, clientOpId, author, timestamp);
            _fill += payload.Length;
            return Head;
        }

        /// <summary>Records for the ops at indexes [start, start + count) of the live log.</summary>
        public IReadOnlyList<OpRecord> Records(int start, int count)
        {
            if (count <= 0)
            {
                return [];
            }

            var records = new OpRecord[count];
            for (var i = 0; i < count; i++)
            {
                ref readonly var e = ref _entries[_start + start + i];
                records[i] = new OpRecord(FirstRevision + start + i, e.ClientOpId, e.Author, e.Timestamp, new ReadOnlyMemory<byte>(_chunks[e.Chunk - _chunkBase], e.Offset, e.Length));
            }

            return records;
        }

        /// <summary>IOpStore rule 3: a remembered id, or a sequence at or below its client's mark.</summary>
        public long? FindDuplicate(string clientOpId, OpSequence? sequence)
        {
            if (ClientOps.TryGetValue(clientOpId, out var original))
            {
                return original;
            }

            return sequence is { } s && Sequences.TryGetValue(s.Client, out var mark) && s.Number <= mark.Number ? mark.Revision : null;
        }

        /// <summary>Forgets the ids of the first <paramref name="count"/> ops (sequenced ones were never remembered).</summary>
        public void ForgetIds(int count)
        {
            for (var i = 0; i < count; i++)
            {
                ref readonly var e = ref _entries[_start + i];
                if (ClientOps.TryGetValue(e.ClientOpId, out var revision) && revision == FirstRevision + i)
                {
                    ClientOps.Remove(e.ClientOpId);
                }
            }
        }

        /// <summary>Drops the first <paramref name="count"/> ops and every chunk that only they used.</summary>
        public void RemoveFirst(int count)
        {
            if (count <= 0)
            {
                return;
            }

            Array.Clear(_entries, _start, count); // release their id and author strings
            _start += count;
            FirstRevision += count;

            // The chunk of the oldest op still kept (or the current chunk, when none is kept) and every later one stay.
            var keepFrom = Count > 0 ? _entries[_start].Chunk : _chunkBase + _chunks.Count - 1;
            var drop = keepFrom - _chunkBase;
            if (drop > 0)
            {
                _chunks.RemoveRange(0, drop);
                _chunkBase += drop;
            }
        }

        private void Grow()
        {
            // Compact first when trimming left the front half empty, else double.
            var live = Count;
            var target = live >= _entries.Length / 2 ? Math.Max(16, _entries.Length * 2) : _entries.Length;
            var next = target == _entries.Length ? _entries : new Entry[target];
            Array.Copy(_entries, _start, next, 0, live);
            if (ReferenceEquals(next, _entries))
            {
                Array.Clear(_entries, live, _end - live);
            }

            _entries = next;
            _start = 0;
            _end = live;
        }
    }

    /// <summary>One op of a <see cref="ChannelLog"/>: where its payload is, and its metadata.</summary>
    private readonly record struct Entry(int Chunk, int Offset, int Length, string ClientOpId, string Author, DateTimeOffset Timestamp);
}
