using KefuSync.Protocol;
using KefuSync.Sync;

namespace KefuSync.Dispatch;

/// <summary>
/// Handles one frame type of docs/protocol.md §2.1 for a connection that completed its handshake (<c>hello</c> is
/// handled before that). <see cref="FrameDispatcher"/> calls it after the rate limit and the parse; frames of one
/// connection reach handlers one at a time, in order.
/// </summary>
internal interface IFrameHandler
{
    FrameType Type { get; }

    ValueTask HandleAsync(ConnectionContext connection, ClientFrame frame, CancellationToken cancellationToken);
}
