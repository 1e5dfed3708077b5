namespace KefuSync.Transport;

/// <summary>What a <see cref="RelayEnvelope"/> carries between nodes.</summary>
internal enum RelayOp
{
    /// <summary>A <c>send</c> body for a session the receiver holds; answered with the HTTP status.</summary>
    Send = 1,

    /// <summary>A pull (an event stream's or a poll's) for a session the receiver holds; answered with the frames.</summary>
    Pull = 2,

    /// <summary>The answer to either, addressed to the node that asked.</summary>
    Reply = 3,
}
