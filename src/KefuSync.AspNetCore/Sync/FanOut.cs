using System.Diagnostics;
using KefuSync.Backplane;
using KefuSync.Diagnostics;
using KefuSync.Protocol;
using KefuSync.Stores;
using Microsoft.Extensions.Logging;

namespace KefuSync.Sync;

/// <summary>
/// Delivers committed ops to subscribers, on this node and (through the backplane) on every other node, and repairs a
/// subscription that saw a gap by re-reading the store.
/// </summary>
/// <remarks>
/// Hot path: a committed op is serialized once (by the committer); the same byte array is queued to every local
/// subscriber and published to the backplane as-is. Per recipient there is one lock and one queue write, no allocation.
/// </remarks>
internal sealed partial class FanOut(
    SubscriberRegistry subscribers,
    IOpStore store,
    IBackplane backplane,
    NodeIdentity node,
    TextDocuments documents,
    KefuMetrics metrics,
    ILogger<FanOut> logger)
{
    private const int RepairBatch = 500;

    // Every handler of the in-process backplane belongs to this node, which ignores its own ops: publishing them would
    // allocate a message per commit and call every handler for nothing. Decided once, not per op.
    private readonly bool _otherNodesHear = backplane is not InProcessBackplane;

    /// <summary>Delivers a frame committed on this node locally, then announces it to the other nodes.</summary>
    public async Task PublishCommittedAsync(string channel, long revision, byte[] frame)
    {
        DeliverLocal(channel, revision, frame);
        if (!_otherNodesHear)
        {
            return;
        }

        try
        {
            await backplane.PublishAsync(new BackplaneMessage(BackplaneMessageKind.Op, channel, revision, node.Id, frame)).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Not data loss: the op is in the store. Other nodes see a gap at the next op, or a Reconnected signal, and repair.
            Log.PublishFailed(logger, channel, revision, ex);
        }
    }

    /// <summary>Queues <paramref name="frame"/> (op at <paramref name="revision"/>) to every local subscriber of <paramref name="channel"/>.</summary>
    public void DeliverLocal(string channel, long revision, byte[] frame)
    {
        var started = metrics.FanOutDuration.Enabled ? Stopwatch.GetTimestamp() : 0; // clock reads only while someone listens
        var subscriptions = subscribers.Get(channel);
        foreach (var subscription in subscriptions)
        {
            if (subscription.OfferLive(revision, frame))
            {
                metrics.GapsRepaired.Add(1);
                StartRepair(subscription);
            }
        }

        metrics.Deliveries.Add(subscriptions.Length);
        if (started != 0)
        {
            metrics.FanOutDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    /// <summary>Runs a repair in the background; used for gaps and for <c>sub</c>.</summary>
    public void StartRepair(ChannelSubscription subscription, bool sendSubbed = false)
        => _ = RepairAsync(subscription, sendSubbed);

    /// <summary>After a backplane outage: every local subscription re-reads its channel from the store.</summary>
    public void RepairAll()
    {
        foreach (var channel in subscribers.Channels)
        {
            RepairChannel(channel);
        }
    }

    /// <summary>After the backplane lost messages of one channel (e.g. a full receive queue): its local subscriptions re-read it.</summary>
    public void RepairChannel(string channel)
    {
        foreach (var subscription in subscribers.Get(channel))
        {
            if (subscription.RequestReplay(long.MaxValue))
            {
                StartRepair(subscription);
            }
        }
    }

    private async Task RepairAsync(ChannelSubscription subscription, bool sendSubbed)
    {
        var channel = subscription.Channel;
        var connection = subscription.Connection;
        try
        {
            do
            {
                while (!connection.Closed.IsCancellationRequested)
                {
                    var after = subscription.LastSent;
                    var ops = await store.ReadAsync(channel.Value, after, RepairBatch, connection.Closed).ConfigureAwait(false);
                    if (ops.Count == 0)
                    {
                        break;
                    }

                    if (ops[0].Revision != after + 1)
                    {
                        // The ops after `after` were trimmed (text channels only): send the document instead.
                        if (!channel.IsText)
                        {
                            Log.UnexpectedGap(logger, channel.Value, after, ops[0].Revision);
                            break;
                        }

                        var (text, revision) = await documents.SnapshotAsync(channel, connection.Closed).ConfigureAwait(false);
                        subscription.SendSnapshot(revision, FrameWriter.Snapshot(channel.Value, revision, text));
                        continue;
                    }

                    foreach (var op in ops)
                    {
                        // Flow control: a catch-up of thousands of ops must not fill the bounded send queue by itself
                        // (that would close a healthy client with 4503). Keep half the queue free for live frames.
                        if (connection.Outgoing.Count >= RepairQueueLimit(connection))
                        {
                            await WaitForQueueRoomAsync(connection).ConfigureAwait(false);
                        }

                        subscription.SendRepaired(op.Revision, FrameWriter.Op(channel.Value, op.Revision, op.ClientOpId, op.Author, op.Timestamp.ToUnixTimeMilliseconds(), op.Payload.Span));
                    }

                    if (ops.Count < RepairBatch)
                    {
                        break;
                    }
                }
            }
            while (!subscription.TryEndRepair());

            if (sendSubbed)
            {
                connection.Send(FrameWriter.Subbed(channel.Value, subscription.LastSent));
            }
        }
        catch (OperationCanceledException) when (connection.Closed.IsCancellationRequested)
        {
            subscription.AbortRepair();
        }
        catch (Exception ex)
        {
            subscription.AbortRepair();
            Log.RepairFailed(logger, channel.Value, ex);
            connection.Send(FrameWriter.Error(ErrorCodes.StoreUnavailable, "Catching up failed; subscribe again.", channel: channel.Value));
        }
    }

    private static int RepairQueueLimit(ConnectionContext connection) => Math.Max(1, connection.Limits.SendQueueCapacity / 2);

    /// <summary>Waits (polling every millisecond) until the connection's send loop drained its queue below a quarter, or the connection closed.</summary>
    private static async Task WaitForQueueRoomAsync(ConnectionContext connection)
    {
        var resume = connection.Limits.SendQueueCapacity / 4;
        while (connection.Outgoing.Count > resume)
        {
            await Task.Delay(1, connection.Closed).ConfigureAwait(false);
        }
    }
}
