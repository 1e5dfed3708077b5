namespace KefuSync.Stores;

/// <summary>An operation committed to a channel's log.</summary>
/// <param name="Revision">The channel revision this operation produced. The first operation of a channel has revision 1.</param>
/// <param name="ClientOpId">The submitter's idempotency key, unique per channel.</param>
/// <param name="Author">Who submitted it (a visitor or agent id, or a server-side principal such as <c>bot:welcome</c>).</param>
/// <param name="Timestamp">When the server committed it (UTC).</param>
/// <param name="Payload">The operation as UTF-8 JSON, exactly as it goes on the wire (the <c>op</c> field of an <c>op</c> frame). The store never interprets it.</param>
public sealed record OpRecord(long Revision, string ClientOpId, string Author, DateTimeOffset Timestamp, ReadOnlyMemory<byte> Payload);
