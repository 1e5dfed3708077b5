namespace KefuSync.Stores;

/// <summary>The state of a channel at a revision, so that a client can join without replaying the whole log.</summary>
/// <param name="Revision">The revision the state reflects.</param>
/// <param name="State">UTF-8 JSON of the state (for a text document, a JSON string of its text).</param>
public sealed record Snapshot(long Revision, ReadOnlyMemory<byte> State);
