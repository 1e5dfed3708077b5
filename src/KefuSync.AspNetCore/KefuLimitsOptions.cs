namespace KefuSync;

/// <summary>Limits that protect the server from oversized and too-frequent input. Documented in docs/protocol.md, section 7.</summary>
public sealed class KefuLimitsOptions
{
    /// <summary>Largest frame accepted, in bytes. Larger frames close the socket with 1009. Default 64 KiB.</summary>
    public int MaxFrameBytes { get; set; } = 64 * 1024;

    /// <summary>Longest chat message, in UTF-16 code units. Default 4000.</summary>
    public int MaxMessageChars { get; set; } = 4000;

    /// <summary>Longest text document (draft, note, canned reply), in UTF-16 code units. Default 100,000.</summary>
    public int MaxDocumentChars { get; set; } = 100_000;

    /// <summary>Sustained frames per second per connection. Default 30.</summary>
    public int FramesPerSecond { get; set; } = 30;

    /// <summary>Burst of frames allowed above the sustained rate. Default 60.</summary>
    public int FrameBurst { get; set; } = 60;

    /// <summary>Refused frames in a row after which the connection is closed with 4429. Default 200.</summary>
    public int FloodCloseAfter { get; set; } = 200;

    /// <summary>Channels one connection may subscribe to. Default 256.</summary>
    public int MaxSubscriptionsPerConnection { get; set; } = 256;

    /// <summary>Logical clients (tabs) one connection may carry. Default 32.</summary>
    public int MaxClientsPerConnection { get; set; } = 32;

    /// <summary>Frames queued for one connection before it counts as a slow consumer and is closed with 4503. Default 1024.</summary>
    public int SendQueueCapacity { get; set; } = 1024;

    /// <summary>Seconds a new connection has to send <c>hello</c>. Default 10.</summary>
    public int HelloTimeoutSeconds { get; set; } = 10;

    /// <summary>Seconds without any frame from the client before the connection is closed (clients ping every <c>hb</c>). Default 90.</summary>
    public int IdleTimeoutSeconds { get; set; } = 90;

    /// <summary>Times an append is retried on a revision conflict before the client gets a retryable <c>conflict</c>. Default 8.</summary>
    public int MaxAppendRetries { get; set; } = 8;

    /// <summary>Seconds a fallback (SSE/POST) session survives without an open event stream. Default 30.</summary>
    public int FallbackSessionIdleSeconds { get; set; } = 30;

    /// <summary>
    /// Seconds a long poll (<c>GET {prefix}/poll</c>) waits for a frame before it answers with an empty batch. Default 25,
    /// under the 30 to 60 seconds after which common proxies cut an idle response.
    /// </summary>
    public int LongPollSeconds { get; set; } = 25;
}
