using KefuSync.Presence;
using KefuSync.Protocol;
using KefuSync.Stores;
using KefuSync.Sync;
using Microsoft.Extensions.Logging;

namespace KefuSync.Dispatch;

/// <summary>
/// <c>sub</c> (docs/protocol.md §2.1, §5): joins a logical client to a channel from the revision it has, and starts the
/// repair that sends what it misses (a snapshot first for a text channel subscribed from 0), then <c>subbed</c>.
/// </summary>
internal sealed partial class SubscribeHandler(FrameReplies replies, SubscriberRegistry subscribers, FanOut fanOut, TextDocuments documents, PresenceTracker presence, IOpStore store, ILogger<SubscribeHandler> logger) : IFrameHandler
{
    public FrameType Type => FrameType.Sub;

    public async ValueTask HandleAsync(ConnectionContext connection, ClientFrame frame, CancellationToken cancellationToken)
    {
        if (!replies.TryChannel(connection, frame, write: false, out var channel) || !replies.IsClient(connection, frame))
        {
            return;
        }

        if (frame.Revision is not { } revision || revision < 0)
        {
            replies.Error(connection, ErrorCodes.BadFrame, "'sub' needs 'rev': the last revision applied, 0 or more.", client: frame.Client, channel: channel.Value);
            return;
        }

        if (frame.Count is < 1)
        {
            replies.Error(connection, ErrorCodes.BadFrame, "'n' must be a positive integer.", client: frame.Client, channel: channel.Value);
            return;
        }

        if (channel.Kind != ChannelKind.Site && revision > 0)
        {
            // A client can only know revisions the store committed, so one above the store's head means the store lost or
            // replaced its data (a reset, a restore). Subscribing anyway would drop every new op as "already seen" (a deaf
            // subscription): refuse, with the head, so the client resets its state of the channel and subscribes from 0.
            long head;
            try
            {
                head = await store.GetRevisionAsync(channel.Value, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (StoreUnavailableException.ShouldWrap(ex, cancellationToken))
            {
                Log.SubscribeFailed(logger, channel.Value, ex);
                replies.Error(connection, ErrorCodes.StoreUnavailable, "The store is unavailable; subscribe again later.", channel: channel.Value, client: frame.Client);
                return;
            }

            if (revision > head)
            {
                replies.Error(connection, ErrorCodes.FutureBase, $"Revision {revision} is ahead of the head {head}: reset this channel and subscribe from 0.", client: frame.Client, channel: channel.Value, head: head);
                return;
            }
        }

        if (!replies.TryAddClient(connection, frame))
        {
            return;
        }

        var subscription = connection.GetOrAddSubscription(channel, revision, out var added);
        if (subscription is null)
        {
            replies.Error(connection, ErrorCodes.LimitExceeded, $"At most {connection.Limits.MaxSubscriptionsPerConnection} subscriptions per connection.", channel: channel.Value, client: frame.Client);
            return;
        }

        subscription.AddClient(frame.Client!);
        if (added)
        {
            subscribers.Add(subscription);
        }

        if (channel.Kind == ChannelKind.Site)
        {
            // Presence-only channel: no log to replay.
            presence.SendCurrent(subscription);
            connection.Send(FrameWriter.Subbed(channel.Value, 0));
            return;
        }

        if (!subscription.RequestReplay(revision))
        {
            presence.SendCurrent(subscription);
            return; // a repair is running; it reads from the rewound revision and sends `subbed`
        }

        try
        {
            if (revision == 0)
            {
                await SendInitialStateAsync(subscription, frame.Count, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (StoreUnavailableException ex)
        {
            subscription.AbortRepair();
            Log.SubscribeFailed(logger, channel.Value, ex.InnerException ?? ex);
            replies.Error(connection, ErrorCodes.StoreUnavailable, "The store is unavailable; subscribe again later.", channel: channel.Value, client: frame.Client);
            return;
        }

        presence.SendCurrent(subscription);
        fanOut.StartRepair(subscription, sendSubbed: true);
    }

    /// <summary>
    /// A first subscription: a text channel starts from a snapshot of the document; a message channel asked for its last
    /// <c>n</c> ops starts from a revision marker, and older messages are paged with <c>history</c>.
    /// </summary>
    private async Task SendInitialStateAsync(ChannelSubscription subscription, long? tail, CancellationToken cancellationToken)
    {
        var channel = subscription.Channel;
        if (channel.IsText)
        {
            var (text, revision) = await documents.SnapshotAsync(channel, cancellationToken).ConfigureAwait(false);
            subscription.SendSnapshot(revision, FrameWriter.Snapshot(channel.Value, revision, text));
            return;
        }

        if (tail is > 0)
        {
            long head;
            try
            {
                head = await store.GetRevisionAsync(channel.Value, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (StoreUnavailableException.ShouldWrap(ex, cancellationToken))
            {
                throw new StoreUnavailableException(channel.Value, ex);
            }

            var from = Math.Max(0, head - tail.Value);
            if (from > 0)
            {
                subscription.SendSnapshot(from, FrameWriter.Snapshot(channel.Value, from, document: null));
            }
        }
    }
}
