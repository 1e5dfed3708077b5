using KefuSync.Presence;
using KefuSync.Protocol;
using KefuSync.Sync;

namespace KefuSync.Dispatch;

/// <summary><c>bye</c>: a logical client (a tab) leaves: its presence, its subscriptions and its slot go at once.</summary>
internal sealed class ByeHandler(FrameReplies replies, SubscriberRegistry subscribers, PresenceTracker presence) : IFrameHandler
{
    public FrameType Type => FrameType.Bye;

    public ValueTask HandleAsync(ConnectionContext connection, ClientFrame frame, CancellationToken cancellationToken)
    {
        Bye(connection, frame);
        return ValueTask.CompletedTask;
    }

    private void Bye(ConnectionContext connection, in ClientFrame frame)
    {
        // Not TryAddClient: saying goodbye must not take a slot (at the limit, that would refuse the bye of an unknown client).
        if (!replies.IsClient(connection, frame))
        {
            return;
        }

        var client = frame.Client!;
        presence.RemoveAll(connection, client);
        foreach (var subscription in connection.SubscriptionsSnapshot())
        {
            if (subscription.RemoveClient(client) && connection.RemoveSubscription(subscription.Channel.Value))
            {
                subscribers.Remove(subscription);
            }
        }

        connection.RemoveClient(client);
    }
}
