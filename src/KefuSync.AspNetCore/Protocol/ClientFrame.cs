namespace KefuSync.Protocol;

/// <summary>
/// A parsed client frame. Raw JSON members (<see cref="Op"/>, <see cref="State"/>) are slices of the receive buffer,
/// valid until the connection reads its next frame; frames are processed one at a time per connection, so that holds.
/// </summary>
internal readonly record struct ClientFrame
{
    public FrameType Type { get; init; }
    public string? TypeName { get; init; }
    public string? Client { get; init; }
    public string? Channel { get; init; }
    public string? Id { get; init; }
    public long? Revision { get; init; }
    /// <summary>The <c>n</c> member as sent (range checks belong to the frame type that uses it, never a silent clamp).</summary>
    public long? Count { get; init; }
    public string? Query { get; init; }
    public string? Filter { get; init; }
    public int? Version { get; init; }
    public string? Token { get; init; }
    /// <summary><c>anon</c> of <c>hello</c>: the anonymous token this browser held before <see cref="Token"/> (docs/protocol.md §2.5).</summary>
    public string? Anon { get; init; }
    public bool Agent { get; init; }
    public ReadOnlyMemory<byte> Op { get; init; }
    public ReadOnlyMemory<byte> State { get; init; }

    /// <summary><c>s</c> was sent as <c>null</c>. (Absent: <see cref="State"/> is empty and this is false.)</summary>
    public bool StateIsNull { get; init; }
}
