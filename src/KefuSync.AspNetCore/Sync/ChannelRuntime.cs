namespace KefuSync.Sync;

/// <summary>
/// Per-channel server state on this node: a gate that serializes this node's appends to the channel (fewer store
/// conflicts, and the text document is updated in revision order), the last head seen, and the text document.
/// </summary>
internal sealed class ChannelRuntime
{
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>The head this node last saw; a hint only, the store's expected-revision check decides.</summary>
    public long? Head { get; set; }

    public TextChannelState? Text { get; set; }

    /// <summary>Last use, for idle eviction (a <see cref="TimeProvider"/> timestamp).</summary>
    public long LastUsed { get; set; }
}
