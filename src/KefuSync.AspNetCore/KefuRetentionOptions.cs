namespace KefuSync;

/// <summary>Retention of text-document histories (drafts, notes, canned replies) and of the inbox's summaries. Chat messages are never trimmed.</summary>
public sealed class KefuRetentionOptions
{
    /// <summary>
    /// Take a snapshot of a text document (or of the inbox) every this many ops. Default 200. A document longer than
    /// 64 characters times this waits one op per 64 characters of its length instead, so a snapshot's O(document) cost
    /// stays below 64 characters per op.
    /// </summary>
    public int SnapshotEvery { get; set; } = 200;

    /// <summary>Ops kept behind the latest snapshot, so clients slightly behind can still catch up by ops. Default 1000.</summary>
    public int KeepOpsBehindSnapshot { get; set; } = 1000;
}
