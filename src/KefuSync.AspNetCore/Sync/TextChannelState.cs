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

    public TextDocument Document { get; } = document;

    public long Revision { get; private set; } = revision;

    /// <summary>Ops committed since the last snapshot this node took.</summary>
    public int OpsSinceSnapshot { get; set; }

    /// <summary>Applies a committed op (validated against the document) and remembers it.</summary>
    public void Apply(long revision, TextOperation op, string clientOpId)
    {
        Document.Apply(op);
        Revision = revision;
        _recent.Enqueue((revision, op, clientOpId));
        if (_recent.Count > RecentCapacity)
        {
            _recent.Dequeue();
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
    public long? FindRecent(string clientOpId)
    {
        foreach (var (revision, _, id) in _recent)
        {
            if (string.Equals(id, clientOpId, StringComparison.Ordinal))
            {
                return revision;
            }
        }

        return null;
    }
}
