using KefuSync.Stores;

namespace ThirdPartyStore;

/// <summary>
/// The smallest correct <see cref="IOpStore"/>: one list per channel behind one lock. Everything the contract asks for
/// happens inside the lock, so the duplicate check, the revision check and the append are one atomic step. It keeps
/// every op forever (it does not implement <see cref="ISnapshotStore"/>, which is optional), and it is in-process only:
/// a real store puts the same rules in a Lua script or a transaction under unique keys.
/// </summary>
public sealed class TinyOpStore : IOpStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<OpRecord>> _logs = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Channel, string ClientOpId), long> _clientOps = [];
    private readonly Dictionary<(string Channel, string Client), (long Number, long Revision)> _marks = [];

    /// <inheritdoc />
    public Task<AppendResult> AppendAsync(string channel, long expectedRevision, OpDraft op, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(op);
        lock (_gate)
        {
            // Rule 3: the client op id first, whatever expectedRevision says; then, for a sequenced (text) op, its
            // client's high-water mark: a number at or below it was committed already, or was overtaken.
            if (_clientOps.TryGetValue((channel, op.ClientOpId), out var original))
            {
                return Task.FromResult(AppendResult.Duplicate(original));
            }

            if (op.Sequence is { } sequence && _marks.TryGetValue((channel, sequence.Client), out var mark) && sequence.Number <= mark.Number)
            {
                return Task.FromResult(AppendResult.Duplicate(mark.Revision));
            }

            var log = Log(channel);
            if (log.Count != expectedRevision)
            {
                return Task.FromResult(AppendResult.Conflict(log.Count));
            }

            // Rule 4: copy the payload, the caller's buffer may be pooled.
            var revision = expectedRevision + 1;
            log.Add(new OpRecord(revision, op.ClientOpId, op.Author, op.Timestamp, op.Payload.ToArray()));
            if (op.Sequence is { } next)
            {
                _marks[(channel, next.Client)] = (next.Number, revision); // one entry per client, not one per keystroke
            }
            else
            {
                _clientOps[(channel, op.ClientOpId)] = revision;
            }

            return Task.FromResult(AppendResult.Appended(revision));
        }
    }

    /// <inheritdoc />
    public Task<long> GetRevisionAsync(string channel, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult((long)Log(channel).Count);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<OpRecord>> ReadAsync(string channel, long afterRevision, int maxCount, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            // Take and TakeLast give nothing for maxCount <= 0, and comparing revisions never overflows.
            return Task.FromResult<IReadOnlyList<OpRecord>>([.. Log(channel).Where(o => o.Revision > afterRevision).Take(maxCount)]);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<OpRecord>> ReadBeforeAsync(string channel, long beforeRevision, int maxCount, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<OpRecord>>([.. Log(channel).Where(o => o.Revision < beforeRevision).TakeLast(maxCount)]);
        }
    }

    private List<OpRecord> Log(string channel)
    {
        if (!_logs.TryGetValue(channel, out var log))
        {
            _logs[channel] = log = [];
        }

        return log;
    }
}
