using KefuSync.Ot;

namespace KefuSync.Sync;

/// <summary>
/// The server's copy of one text document: its content at <see cref="Revision"/> and the last few committed ops, so
/// that transforming an incoming op against "everything since its base" usually needs no store read.
/// </summary>
/// <remarks>Only touched under the channel's gate (<see cref="ChannelRuntime.Gate"/>).</remarks>
internal sealed class TextChannelState(TextDocument document, long revision)
{
    private const int RecentCapacity = 512;
    private readonly Queue<(long Revision, TextOperation Op, string ClientOpId)> _recent = new();

    // The client op ids of _recent, so a resend is recognised in O(1) rather than by scanning 512 entries per keystroke.
    private readonly Dictionary<string, long> _recentIds = new(StringComparer.Ordinal);

    public TextDocument Document { get; } = document;

    public long Revision { get; private set; } = revision;

    /// <summary>Ops committed since the last snapshot this node took.</summary>
    public int OpsSinceSnapshot { get; set; }

    /// <summary>Applies a committed op (validated against the document) and remembers it.</summary>
    public void Apply(long revision, TextOperation op, string clientOpId)
    {
        Document.Apply(op);
        Remember(revision, op, clientOpId);
    }

    /// <summary>Like <see cref="Apply"/> for an op the committer validated against <see cref="Document"/> just before appending it.</summary>
    public void ApplyValidated(long revision, TextOperation op, string clientOpId)
    {
        Document.ApplyValidated(op);
        Remember(revision, op, clientOpId);
    }

    private void Remember(long revision, TextOperation op, string clientOpId)
    {
        Revision = revision;
        _recent.Enqueue((revision, op, clientOpId));
        _recentIds[clientOpId] = revision;
        if (_recent.Count > RecentCapacity)
        {
            var (oldRevision, _, oldId) = _recent.Dequeue();
            if (_recentIds.TryGetValue(oldId, out var mapped) && mapped == oldRevision)
            {
                _recentIds.Remove(oldId);
            }
        }
    }

    /// <summary>The committed ops after <paramref name="baseRevision"/>, when all of them are still cached.</summary>
    public bool TryGetSince(long baseRevision, List<TextOperation> into)
    {
        if (baseRevision == Revision)
        {
            return true;
        }

        if (_recent.Count == 0 || _recent.Peek().Revision > baseRevision + 1)
        {
            return false;
        }

        foreach (var (revision, op, _) in _recent)
        {
            if (revision > baseRevision)
            {
                into.Add(op);
            }
        }

        return true;
    }

    /// <summary>
    /// The revision of a recently committed op with this client op id. A resend after a lost ack is answered from here
    /// before any transform, so an old base can never turn a duplicate into an error. (Older resends reach the store,
    /// whose dedupe answers them.)
    /// </summary>
    public long? FindRecent(string clientOpId) => _recentIds.TryGetValue(clientOpId, out var revision) ? revision : null;
}
