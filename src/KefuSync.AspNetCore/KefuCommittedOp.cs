namespace KefuSync;

/// <summary>An operation committed to a channel, as host code observes it (<see cref="IKefuSyncObserver"/>).</summary>
/// <param name="Channel">Channel name, e.g. <c>conv:KEY</c> for a conversation's messages.</param>
/// <param name="Revision">Its revision in the channel.</param>
/// <param name="ClientOpId">The submitter's idempotency key.</param>
/// <param name="Author">Principal id of the author.</param>
/// <param name="Timestamp">Commit time.</param>
/// <param name="Payload">UTF-8 JSON of the op (docs/protocol.md §4).</param>
public sealed record KefuCommittedOp(string Channel, long Revision, string ClientOpId, string Author, DateTimeOffset Timestamp, ReadOnlyMemory<byte> Payload);
