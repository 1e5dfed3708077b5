namespace KefuSync;

/// <summary>An operation committed to a channel, as host code observes it (<see cref="IKefuSyncObserver"/>, <see cref="IKefuSyncService.ReadAsync"/>).</summary>
public sealed record KefuCommittedOp
{
    /// <summary>Channel name, e.g. <c>conv:KEY</c> for a conversation's messages.</summary>
    public required string Channel { get; init; }

    /// <summary>Its revision in the channel.</summary>
    public required long Revision { get; init; }

    /// <summary>The submitter's idempotency key.</summary>
    public required string ClientOpId { get; init; }

    /// <summary>Principal id of the author.</summary>
    public required string Author { get; init; }

    /// <summary>Commit time.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>UTF-8 JSON of the op (docs/protocol.md §4).</summary>
    public required ReadOnlyMemory<byte> Payload { get; init; }
}
