using KefuSync.Protocol;
using KefuSync.Sync;

namespace KefuSync.Dispatch;

/// <summary><c>ping</c>: answered with <c>pong</c> (echoing <c>q</c>); the frame itself keeps the connection from idling out.</summary>
internal sealed class PingHandler(FrameReplies replies) : IFrameHandler
{
    public FrameType Type => FrameType.Ping;

    public ValueTask HandleAsync(ConnectionContext connection, ClientFrame frame, CancellationToken cancellationToken)
    {
        if (replies.TryQuery(connection, frame, out var query))
        {
            connection.Send(FrameWriter.Pong(query));
        }

        return ValueTask.CompletedTask;
    }
}
