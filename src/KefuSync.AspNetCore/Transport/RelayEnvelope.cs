namespace KefuSync.Transport;

/// <summary>The header of one node-to-node fallback message (<see cref="SessionRelay"/>); the body follows it.</summary>
internal sealed record RelayEnvelope
{
    public RelayOp Op { get; init; }

    /// <summary>Pairs a reply with its request.</summary>
    public string Request { get; init; } = "";

    /// <summary>The session's id on the node that holds it.</summary>
    public string Session { get; init; } = "";

    /// <summary>The HTTP user of the request (checked again by the holder).</summary>
    public string? User { get; init; }

    public long From { get; init; }

    public long Ack { get; init; }

    public long Stream { get; init; }

    public int WaitMs { get; init; }

    /// <summary>Replies: the HTTP status of a send, the <see cref="PullStatus"/> of a pull.</summary>
    public int Status { get; init; }

    public long Last { get; init; }

    public bool End { get; init; }
}
