namespace KefuSync.Backplane;

/// <summary>What a <see cref="BackplaneMessage"/> announces.</summary>
public enum BackplaneMessageKind
{
    /// <summary>A committed operation: <see cref="BackplaneMessage.Revision"/> is its revision and the payload is the serialized <c>op</c> frame, sent as-is to subscribers.</summary>
    Op = 1,

    /// <summary>The presence entries one node holds for a channel; the payload is node-private JSON.</summary>
    Presence = 2,

    /// <summary>
    /// Raised locally by a backplane that may have missed messages: with an empty <see cref="BackplaneMessage.Channel"/>
    /// (it lost its connection and is back) the node re-reads every channel it serves from the store; with a channel name
    /// (it dropped that channel's messages, e.g. from a full receive queue) only that channel.
    /// </summary>
    Reconnected = 3,

    /// <summary>
    /// Node-to-node traffic of fallback (event-stream, long-poll) sessions: a request to the node that holds a session,
    /// or its reply. <see cref="BackplaneMessage.Channel"/> names the node it is for (<c>fallback:{node}</c>); the payload is
    /// node-private. Like every message it may be lost during an outage (the asker then times out); it is never repaired.
    /// </summary>
    Session = 4,
}
