namespace KefuSync.Transport;

/// <summary>How a pull ended.</summary>
internal enum PullStatus
{
    /// <summary>Frames (possibly none, after the wait) follow.</summary>
    Ok,

    /// <summary>Unknown, ended, or another HTTP user's session: HTTP 404.</summary>
    NotFound,

    /// <summary>The cursor names a frame the session never handed out: HTTP 400.</summary>
    BadCursor,

    /// <summary>Frames after the cursor are no longer held; the session has ended: HTTP 410.</summary>
    Gone,

    /// <summary>A newer stream or poll of the session took over; this stream ends.</summary>
    Replaced,

    /// <summary>The node holding the session did not answer in time: HTTP 503.</summary>
    Unavailable,
}
