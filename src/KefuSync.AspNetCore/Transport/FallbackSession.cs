using KefuSync.Sync;

namespace KefuSync.Transport;

/// <summary>A connection carried by SSE (server → client) and POST (client → server) instead of a WebSocket.</summary>
/// <param name="connection">The logical connection.</param>
/// <param name="user">The HTTP user that opened it (<see cref="FallbackTransport.UserOf"/>); null for none.</param>
internal sealed class FallbackSession(ConnectionContext connection, string? user)
{
    public ConnectionContext Connection { get; } = connection;

    /// <summary>The HTTP user bound to the session (docs/protocol.md §1): every later request must come from the same one.</summary>
    public string? User { get; } = user;

    /// <summary>Frames of one session are handled one at a time, in order, as on a socket.</summary>
    public SemaphoreSlim Handling { get; } = new(1, 1);

    /// <summary>Serializes event streams: a new stream replaces the old one.</summary>
    public SemaphoreSlim Streaming { get; } = new(1, 1);

    /// <summary>Cancels the current event stream when a newer one opens.</summary>
    public CancellationTokenSource? CurrentStream { get; set; }

    /// <summary>Environment.TickCount64 of the last request or open stream.</summary>
    public long LastSeen { get; set; } = Environment.TickCount64;

    public int OpenStreams;

    /// <summary>1 once the sweep has ended the session (disconnected it from the engine); it may linger to deliver its last frames.</summary>
    public int Ended;
}
