namespace KefuSync.Stores;

/// <summary>
/// Optional store capability: snapshots and retention for text-document channels.
/// A store that does not implement it keeps every operation forever, which is always correct.
/// </summary>
/// <remarks>
/// KefuSync only trims text-document channels, never chat message channels: messages are the record (and their client
/// op ids, which trimming forgets, must dedupe for as long as the message exists).
/// </remarks>
public interface ISnapshotStore
{
    /// <summary>Saves <paramref name="snapshot"/> unless the stored one is at the same or a newer revision.</summary>
    Task SaveSnapshotAsync(string channel, Snapshot snapshot, CancellationToken cancellationToken = default);

    /// <summary>The newest snapshot of the channel, or <see langword="null"/>.</summary>
    Task<Snapshot?> GetSnapshotAsync(string channel, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes the operations with revision at most <paramref name="upToRevision"/>, which must not be newer than the
    /// latest snapshot, and forgets the client op ids of those appended without a sequence (IOpStore rule 3). The head
    /// stays, and so does every sequence high-water mark. Returns how many operations were removed.
    /// </summary>
    /// <remarks>
    /// Forgetting is safe where KefuSync trims. Text channels: a resend of a trimmed op has a trimmed base and is refused
    /// <c>stale_base</c>, and the client resyncs from the snapshot, which holds the op (docs/protocol.md §4.1). Its own
    /// server-written logs (<c>inbox</c>, <c>webhook:NAME</c>): their ids name the revision or conversation op they were
    /// written for, and an append is only ever repeated at once (a store's own retry after a lost reply), never after
    /// the log moved a snapshot interval on. Trimming a message channel
    /// would make its message ids appendable again; KefuSync never does it.
    /// </remarks>
    Task<long> TrimAsync(string channel, long upToRevision, CancellationToken cancellationToken = default);
}
