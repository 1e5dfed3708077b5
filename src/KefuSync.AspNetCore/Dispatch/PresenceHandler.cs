using KefuSync.Presence;
using KefuSync.Protocol;
using KefuSync.Security;
using KefuSync.Sync;

namespace KefuSync.Dispatch;

/// <summary><c>presence</c>: sets (an object) or removes (null) a logical client's presence entry on a channel.</summary>
internal sealed class PresenceHandler(FrameReplies replies, PresenceTracker presence) : IFrameHandler
{
    private const int MaxPresenceBytes = 1024;

    public FrameType Type => FrameType.Presence;

    public ValueTask HandleAsync(ConnectionContext connection, ClientFrame frame, CancellationToken cancellationToken)
    {
        SetPresence(connection, frame);
        return ValueTask.CompletedTask;
    }

    private void SetPresence(ConnectionContext connection, in ClientFrame frame)
    {
        if (!replies.IsClient(connection, frame))
        {
            return;
        }

        if (frame.Channel is null)
        {
            replies.Error(connection, ErrorCodes.BadFrame, "'presence' needs 'ch'.", client: frame.Client);
            return;
        }

        if (!ChannelName.TryParse(frame.Channel, out var channel))
        {
            replies.Error(connection, ErrorCodes.InvalidChannel, "Unknown or malformed channel name.", client: frame.Client);
            return;
        }

        if (!ChannelAccess.CanSetPresence(connection.Principal!, channel))
        {
            replies.Error(connection, ErrorCodes.Forbidden, "You may not use this channel.", client: frame.Client, channel: channel.Value);
            return;
        }

        if (frame.State.IsEmpty)
        {
            replies.Error(connection, ErrorCodes.BadFrame, "'presence' needs 's': an object, or null to remove the entry.", client: frame.Client, channel: channel.Value);
            return;
        }

        if (frame.StateIsNull)
        {
            // Removing needs no client slot: a client the limit refused has no entry, and removing nothing is fine.
            presence.Remove(connection, frame.Client!, channel.Value);
            return;
        }

        if (frame.State.Length > MaxPresenceBytes)
        {
            replies.Error(connection, ErrorCodes.BadFrame, $"Presence state is larger than {MaxPresenceBytes} bytes.", client: frame.Client, channel: channel.Value);
            return;
        }

        // Last, so a refused frame gets exactly one error: the limit's.
        if (!replies.TryAddClient(connection, frame))
        {
            return;
        }

        presence.Set(connection, frame.Client!, channel, frame.State);
    }
}
