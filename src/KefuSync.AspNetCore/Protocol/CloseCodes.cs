namespace KefuSync.Protocol;

/// <summary>WebSocket close codes of docs/protocol.md §6.1.</summary>
internal static class CloseCodes
{
    public const int Normal = 1000;
    public const int GoingAway = 1001;

    /// <summary>
    /// A text message that is not valid UTF-8. KefuSync never sends it: the WebSocket fails the connection with it before
    /// KefuSync reads the message (RFC 6455 §8.1). Listed because clients see it (docs/protocol.md §6.1).
    /// </summary>
    public const int InvalidPayload = 1007;
    public const int TooBig = 1009;
    public const int ProtocolError = 4400;
    public const int AuthFailed = 4401;
    public const int Forbidden = 4403;
    public const int Timeout = 4408;
    public const int Flood = 4429;
    public const int SlowConsumer = 4503;
}
