namespace KefuSync.Backplane;

/// <summary>One announcement between nodes. The store stays the source of truth: a lost message costs latency, never data.</summary>
/// <param name="Kind">What is announced.</param>
/// <param name="Channel">The channel it concerns (empty for <see cref="BackplaneMessageKind.Reconnected"/>).</param>
/// <param name="Revision">For <see cref="BackplaneMessageKind.Op"/>, the committed revision; otherwise 0.</param>
/// <param name="SourceNode">The node that published it.</param>
/// <param name="Payload">Kind-specific bytes (see <see cref="BackplaneMessageKind"/>).</param>
public sealed record BackplaneMessage(BackplaneMessageKind Kind, string Channel, long Revision, string SourceNode, ReadOnlyMemory<byte> Payload);
