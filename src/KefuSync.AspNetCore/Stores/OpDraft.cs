namespace KefuSync.Stores;

/// <summary>An operation about to be appended; the store assigns its revision.</summary>
/// <param name="ClientOpId">Idempotency key, unique per channel. A second append with the same key is a <see cref="AppendStatus.Duplicate"/>.</param>
/// <param name="Author">Who submitted it.</param>
/// <param name="Timestamp">Commit time (UTC), chosen by the server before the append.</param>
/// <param name="Payload">UTF-8 JSON of the operation, already transformed to apply at the expected revision.</param>
public sealed record OpDraft(string ClientOpId, string Author, DateTimeOffset Timestamp, ReadOnlyMemory<byte> Payload)
{
    /// <summary>
    /// The op's place in its client's sequence, or <see langword="null"/> for an id that is not sequenced (every message,
    /// and text-channel ids without the <c>{client}-{n}</c> shape). With a sequence, the store dedupes by the client's
    /// high-water mark instead of remembering the id (IOpStore rule 3).
    /// </summary>
    public OpSequence? Sequence { get; init; }
}
