using KefuSync.Protocol;
using KefuSync.Sync;

namespace KefuSync.Dispatch;

/// <summary>
/// <c>submit</c> (docs/protocol.md §4): checks the frame's members and hands the op to the commit pipeline, then answers
/// <c>ack</c> or the pipeline's error. Hot path: no allocation here beyond the ack frame.
/// </summary>
internal sealed class SubmitHandler(FrameReplies replies, CommitPipeline committer) : IFrameHandler
{
    public FrameType Type => FrameType.Submit;

    public async ValueTask HandleAsync(ConnectionContext connection, ClientFrame frame, CancellationToken cancellationToken)
    {
        if (!replies.TryChannel(connection, frame, write: true, out var channel) || !replies.IsClient(connection, frame))
        {
            return;
        }

        if (!Identifiers.IsOpId(frame.Id))
        {
            replies.Error(connection, ErrorCodes.BadFrame, "'id' must be 1-64 printable ASCII characters.", client: frame.Client, channel: channel.Value);
            return;
        }

        if (Identifiers.IsServerOpId(frame.Id))
        {
            // The server's own ids are deterministic (a bot's replies, a merge's copies and marker) so that a retried or
            // resumed write dedupes: a client that could use one would pre-empt the server's op and have it dropped.
            replies.Error(connection, ErrorCodes.Forbidden, "Op ids beginning or ending with '~' are reserved for the server.", client: frame.Client, channel: channel.Value, id: frame.Id);
            return;
        }

        if (frame.Op.IsEmpty || frame.Revision is null)
        {
            replies.Error(connection, ErrorCodes.BadFrame, "'submit' needs 'op' and 'rev'.", client: frame.Client, channel: channel.Value, id: frame.Id);
            return;
        }

        if (frame.Revision < 0)
        {
            // On message channels the base is informational (§4.3), but it is still a revision: never negative.
            replies.Error(connection, ErrorCodes.BadFrame, "'rev' must not be negative.", client: frame.Client, channel: channel.Value, id: frame.Id);
            return;
        }

        if (channel.Kind == ChannelKind.Site)
        {
            replies.Error(connection, ErrorCodes.Forbidden, "The site channel carries presence only.", client: frame.Client, channel: channel.Value, id: frame.Id);
            return;
        }

        if (!replies.TryAddClient(connection, frame))
        {
            return;
        }

        var result = await committer.SubmitAsync(connection.Principal!, channel, frame.Id!, frame.Revision.Value, frame.Op, cancellationToken, fromClientFrame: true).ConfigureAwait(false);
        if (result.Committed)
        {
            connection.Send(FrameWriter.Ack(frame.Client!, channel.Value, frame.Id!, result.Revision, result.Duplicate));
        }
        else
        {
            replies.Error(connection, result.ErrorCode!, result.ErrorMessage!, frame.Client, channel.Value, frame.Id, head: result.ErrorCode == ErrorCodes.FutureBase ? result.Revision : null);
        }
    }
}
