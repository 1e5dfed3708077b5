using KefuSync.Presence;
using KefuSync.Protocol;
using KefuSync.Sync;

namespace KefuSync.Dispatch;

/// <summary><c>unsub</c>: a logical client leaves a channel (idempotent, unanswered); the subscription ends with its last client.</summary>
internal sealed class UnsubscribeHandler(FrameReplies replies, SubscriberRegistry subscribers, PresenceTracker presence) : IFrameHandler
{
    public FrameType Type => FrameType.Unsub;

    public ValueTask HandleAsync(ConnectionContext connection, ClientFrame frame, CancellationToken cancellationToken)
    {
        Unsubscribe(connection, frame);
        return ValueTask.CompletedTask;
    }

    private void Unsubscribe(ConnectionContext connection, in ClientFrame frame)
    {
        if (!replies.IsClient(connection, frame))
        {
            return;
        }

        if (frame.Channel is null)
        {
            replies.Error(connection, ErrorCodes.BadFrame, "'unsub' needs 'ch'.", client: frame.Client);
            return;
        }

        if (!ChannelName.TryParse(frame.Channel, out _))
        {
            replies.Error(connection, ErrorCodes.InvalidChannel, "Unknown or malformed channel name.", client: frame.Client);
            return;
        }

        // Leaving a channel this client does not hold is a no-op, not an error: unsub is idempotent, and unanswered.
        if (connection.TryGetSubscription(frame.Channel, out var subscription))
        {
            presence.Remove(connection, frame.Client!, frame.Channel);
            if (subscription.RemoveClient(frame.Client!) && connection.RemoveSubscription(frame.Channel))
            {
                subscribers.Remove(subscription);
            }
        }
    }
}
