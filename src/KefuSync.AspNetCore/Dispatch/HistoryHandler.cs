using KefuSync.Protocol;
using KefuSync.Stores;
using KefuSync.Sync;
using Microsoft.Extensions.Logging;

namespace KefuSync.Dispatch;

/// <summary><c>history</c>: a page of a channel's ops before a revision, answered with <c>history</c> (echoing <c>q</c>).</summary>
internal sealed partial class HistoryHandler(FrameReplies replies, IOpStore store, ILogger<HistoryHandler> logger) : IFrameHandler
{
    private const int MaxHistoryPage = 200;
    private const int DefaultHistoryPage = 50;

    public FrameType Type => FrameType.History;

    public async ValueTask HandleAsync(ConnectionContext connection, ClientFrame frame, CancellationToken cancellationToken)
    {
        if (!replies.TryQuery(connection, frame, out var query) || !replies.TryChannel(connection, frame, write: false, out var channel))
        {
            return;
        }

        if (frame.Revision is < 0)
        {
            replies.Error(connection, ErrorCodes.BadFrame, "'rev' must not be negative.", channel: channel.Value, query: query);
            return;
        }

        if (frame.Count is < 1 or > MaxHistoryPage)
        {
            replies.Error(connection, ErrorCodes.BadFrame, $"'n' must be between 1 and {MaxHistoryPage}.", channel: channel.Value, query: query);
            return;
        }

        var before = frame.Revision ?? long.MaxValue;
        var count = (int)(frame.Count ?? DefaultHistoryPage);
        try
        {
            var ops = await store.ReadBeforeAsync(channel.Value, before, count, cancellationToken).ConfigureAwait(false);
            var wire = new WireOp[ops.Count];
            for (var i = 0; i < wire.Length; i++)
            {
                wire[i] = new WireOp(ops[i].Revision, ops[i].ClientOpId, ops[i].Author, ops[i].Timestamp.ToUnixTimeMilliseconds(), ops[i].Payload);
            }

            connection.Send(FrameWriter.History(channel.Value, query, wire));
        }
        catch (Exception ex) when (StoreUnavailableException.ShouldWrap(ex, cancellationToken))
        {
            Log.HistoryFailed(logger, channel.Value, ex);
            replies.Error(connection, ErrorCodes.StoreUnavailable, "The store is unavailable; ask again later.", channel: channel.Value, query: query);
        }
    }
}
