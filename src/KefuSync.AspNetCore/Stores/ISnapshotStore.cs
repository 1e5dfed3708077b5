namespace KefuSync.Stores;

/// <summary>
/// Optional store capability: snapshots and retention for text-document channels.
/// A store that does not implement it keeps every operation forever, which is always correct.
/// </summary>
/// <remarks>
/// KefuSync only trims text-document channels, never chat message channels: messages are the record.
/// </remarks>
public interface ISnapshotStore
{
    /// <summary>Saves <paramref name="snapshot"/> unless the stored one is at the same or a newer revision.</summary>
    Task SaveSnapshotAsync(string channel, Snapshot snapshot, CancellationToken cancellationToken = default);

    /// <summary>The newest snapshot of the channel, or <see langword="null"/>.</summary>
    Task<Snapshot?> GetSnapshotAsync(string channel, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes the payloads of operations with revision at most <paramref name="upToRevision"/>, which must not be newer
    /// than the latest snapshot. Client op ids stay remembered. Returns how many operations were removed.
    /// </summary>
    Task<long> TrimAsync(string channel, long upToRevision, CancellationToken cancellationToken = default);
}
