namespace KefuSync.Conversations;

/// <summary>A validated client message op (docs/protocol.md §4.2).</summary>
internal readonly record struct MessageOp(string Kind, string? Text, long Target);
