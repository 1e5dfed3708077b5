using KefuSync.Stores;

namespace KefuSync.Testing;

/// <summary>
/// Forwards only the four members every store must implement, so <see cref="IOpStore.FindClientOpAsync"/> runs IOpStore's
/// default implementation against the real store underneath.
/// </summary>
internal sealed class OpStoreWithoutLookup(IOpStore inner) : IOpStore
{
    public Task<AppendResult> AppendAsync(string channel, long expectedRevision, OpDraft op, CancellationToken cancellationToken = default)
        => inner.AppendAsync(channel, expectedRevision, op, cancellationToken);

    public Task<long> GetRevisionAsync(string channel, CancellationToken cancellationToken = default) => inner.GetRevisionAsync(channel, cancellationToken);

    public Task<IReadOnlyList<OpRecord>> ReadAsync(string channel, long afterRevision, int maxCount, CancellationToken cancellationToken = default)
        => inner.ReadAsync(channel, afterRevision, maxCount, cancellationToken);

    public Task<IReadOnlyList<OpRecord>> ReadBeforeAsync(string channel, long beforeRevision, int maxCount, CancellationToken cancellationToken = default)
        => inner.ReadBeforeAsync(channel, beforeRevision, maxCount, cancellationToken);
}
