namespace KefuSync.Stores;

/// <summary>
/// The store contract: one append-only log per channel, the single source of truth.
/// </summary>
/// <remarks>
/// <para>Rules every implementation keeps (the specification tests of the KefuSync.Testing package, <c>OpStoreSpecification</c>, check each one):</para>
/// <list type="number">
/// <item>Revisions start at 1 and are consecutive per channel. A channel that was never written has revision 0.</item>
/// <item>An append succeeds only when the head equals <c>expectedRevision</c>, and assigns <c>expectedRevision + 1</c>
/// in the same atomic step (a Lua script, a transaction under a unique constraint, a lock).</item>
/// <item>A client op id is remembered per channel for as long as the channel exists, even after <see cref="ISnapshotStore.TrimAsync"/>
/// removes the operation's payload. A repeat returns <see cref="AppendStatus.Duplicate"/> with the original revision,
/// whatever <c>expectedRevision</c> it carries; the duplicate check comes before the revision check.</item>
/// <item>Payload bytes come back exactly as written.</item>
/// <item>Conflicts and duplicates are result values, not exceptions. Exceptions mean the store is unreachable or broken;
/// the caller treats them as retryable.</item>
/// </list>
/// <para>Channel names are at most 128 ASCII characters from <c>[A-Za-z0-9:_.-]</c>; client op ids at most 64 printable ASCII characters.</para>
/// </remarks>
public interface IOpStore
{
    /// <summary>Appends <paramref name="op"/> if the channel head is <paramref name="expectedRevision"/>.</summary>
    Task<AppendResult> AppendAsync(string channel, long expectedRevision, OpDraft op, CancellationToken cancellationToken = default);

    /// <summary>The channel's head revision; 0 for a channel never written.</summary>
    Task<long> GetRevisionAsync(string channel, CancellationToken cancellationToken = default);

    /// <summary>
    /// Up to <paramref name="maxCount"/> operations with revision greater than <paramref name="afterRevision"/>, in ascending order.
    /// Operations removed by trimming are simply absent, so a caller that gets a first revision other than
    /// <c>afterRevision + 1</c> knows it must resync from a snapshot.
    /// </summary>
    Task<IReadOnlyList<OpRecord>> ReadAsync(string channel, long afterRevision, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>
    /// Up to <paramref name="maxCount"/> operations with revision less than <paramref name="beforeRevision"/>, the newest of them,
    /// returned in ascending order. This pages history backwards ("infinite scroll").
    /// </summary>
    Task<IReadOnlyList<OpRecord>> ReadBeforeAsync(string channel, long beforeRevision, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>
    /// The revision at which <paramref name="clientOpId"/> was committed to <paramref name="channel"/>, or <see langword="null"/>
    /// when it never was. It answers from the same client op ids as the duplicate check of <see cref="AppendAsync"/>, so it
    /// also knows ops whose payload was trimmed.
    /// </summary>
    /// <remarks>
    /// <para>KefuSync asks before it refuses a resend (docs/protocol.md §4.1: the id is checked before the base), e.g. when the
    /// base of a resent text op was trimmed long after the op was committed. It is never on the path of a new op.</para>
    /// <para>Stores should implement it as one lookup. The default implementation is correct for every store that keeps
    /// rules 2 and 3 above, at the cost of an append round trip: it appends with an expected revision of -1, which no head
    /// equals, so the store answers <see cref="AppendStatus.Duplicate"/> with the original revision or
    /// <see cref="AppendStatus.Conflict"/>, and writes nothing.</para>
    /// </remarks>
    async Task<long?> FindClientOpAsync(string channel, string clientOpId, CancellationToken cancellationToken = default)
    {
        var probe = new OpDraft(clientOpId, "", DateTimeOffset.UnixEpoch, ReadOnlyMemory<byte>.Empty);
        var result = await AppendAsync(channel, -1, probe, cancellationToken).ConfigureAwait(false);
        return result.Status switch
        {
            AppendStatus.Duplicate => result.Revision,
            AppendStatus.Conflict => null,
            _ => throw new InvalidOperationException($"{GetType().Name} appended at an expected revision of -1; it breaks the store contract (IOpStore rule 2)."),
        };
    }
}
