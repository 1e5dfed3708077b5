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
/// <item>Dedupe comes before the revision check: an append is <see cref="AppendStatus.Duplicate"/>, writes nothing and
/// returns the revision below, whatever <c>expectedRevision</c> it carries, when
/// <list type="bullet">
/// <item>its client op id is remembered: the id of an op appended without <see cref="OpDraft.Sequence"/> is remembered
/// for as long as that op is retained, which is forever unless <see cref="ISnapshotStore.TrimAsync"/> removes it (then the
/// id goes with it). The revision is the original one. This holds for an append with a sequence too: an id committed
/// before sequences existed still dedupes.</item>
/// <item>or it carries a <see cref="OpDraft.Sequence"/> whose <see cref="OpSequence.Number"/> is at most the highest
/// number committed on the channel for the same <see cref="OpSequence.Client"/> (its high-water mark). The revision is
/// that of the highest one: the original revision when the numbers are equal (for a lower number, a store that still
/// remembers the op's id by the rule above answers with the op's own revision instead). An appended op with a sequence raises its
/// client's mark; only the mark (number and revision) is kept per channel and client, never the id, and trimming keeps
/// it. A store may also remember the ids of sequenced ops while they are retained.</item>
/// </list>
/// KefuSync sets a sequence on text channels only (docs/protocol.md §4.1), so message ids dedupe for as long as the
/// message exists, and a text channel's dedupe state is one mark per client plus the ids of the retained ops.</item>
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
    /// when it never was (or was forgotten with its trimmed op). It answers from the same client op ids as the duplicate
    /// check of <see cref="AppendAsync"/> for an op without a sequence.
    /// </summary>
    /// <remarks>
    /// <para>KefuSync asks before it refuses a resend (docs/protocol.md §4.1: the id is checked before the base), e.g. when the
    /// base of a resent message op is outside an edit window. It is never on the path of a new op.</para>
    /// <para>Stores should implement it as one lookup. The default implementation is correct for every store that keeps
    /// rules 2 and 3 above, at the cost of an append round trip: it appends with an expected revision of -1, which no head
    /// equals, so the store answers <see cref="AppendStatus.Duplicate"/> with the original revision or
    /// <see cref="AppendStatus.Conflict"/>, and writes nothing.</para>
    /// </remarks>
    Task<long?> FindClientOpAsync(string channel, string clientOpId, CancellationToken cancellationToken = default)
        => ProbeAsync(channel, clientOpId, null, cancellationToken);

    /// <summary>
    /// What the duplicate check of <see cref="AppendAsync"/> (rule 3) would answer for an op with this id and
    /// <paramref name="sequence"/>: the revision of a <see cref="AppendStatus.Duplicate"/>, or <see langword="null"/> when the
    /// op would be appended. With a sequence that is the revision of the client's high-water mark when
    /// <see cref="OpSequence.Number"/> is at most its number; without one it is <see cref="FindClientOpAsync(string, string, CancellationToken)"/>.
    /// </summary>
    /// <remarks>
    /// KefuSync asks before it refuses a text op whose base was trimmed (<c>stale_base</c>): a resend of an op committed
    /// long ago gets its revision instead. The default implementation answers without a sequence from
    /// <see cref="FindClientOpAsync(string, string, CancellationToken)"/>, and with one by the same append probe at an
    /// expected revision of -1 (it writes nothing), so a store written before sequences existed compiles and stays correct.
    /// Stores that keep marks should implement it as one lookup.
    /// </remarks>
    Task<long?> FindDuplicateAsync(string channel, string clientOpId, OpSequence? sequence, CancellationToken cancellationToken = default)
        => sequence is null ? FindClientOpAsync(channel, clientOpId, cancellationToken) : ProbeAsync(channel, clientOpId, sequence, cancellationToken);

    /// <summary>An append at an expected revision of -1, which no head equals: Duplicate or Conflict, and nothing written.</summary>
    private async Task<long?> ProbeAsync(string channel, string clientOpId, OpSequence? sequence, CancellationToken cancellationToken)
    {
        var probe = new OpDraft(clientOpId, "", DateTimeOffset.UnixEpoch, ReadOnlyMemory<byte>.Empty) { Sequence = sequence };
        var result = await AppendAsync(channel, -1, probe, cancellationToken).ConfigureAwait(false);
        return result.Status switch
        {
            AppendStatus.Duplicate => result.Revision,
            AppendStatus.Conflict => null,
            _ => throw new InvalidOperationException($"{GetType().Name} appended at an expected revision of -1; it breaks the store contract (IOpStore rule 2)."),
        };
    }
}
