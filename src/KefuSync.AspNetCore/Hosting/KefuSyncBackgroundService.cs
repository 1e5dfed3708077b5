using KefuSync.Backplane;
using KefuSync.Presence;
using KefuSync.Sync;
using KefuSync.Transport;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KefuSync.Hosting;

/// <summary>
/// Listens to the backplane (ops from other nodes, presence, reconnects) and runs the periodic sweeps: expired
/// presence, idle fallback sessions.
/// </summary>
internal sealed partial class KefuSyncBackgroundService(
    IBackplane backplane,
    NodeIdentity node,
    FanOut fanOut,
    PresenceTracker presence,
    FallbackTransport fallback,
    TextDocuments documents,
    Conversations.InboxProjection inbox,
    ConnectionRegistry connections,
    TimeProvider time,
    IOptionsMonitor<KefuSyncOptions> options,
    ILogger<KefuSyncBackgroundService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Subscribing must never stop the host: a backplane that is down at startup is retried in the background while
        // this node keeps serving its own clients (the store stays the source of truth).
        var subscribing = SubscribeWithRetryAsync(stoppingToken);
        try
        {
            await SweepLoopAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            var subscription = await subscribing.ConfigureAwait(false);
            if (subscription is not null)
            {
                await subscription.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<IAsyncDisposable?> SubscribeWithRetryAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                var subscription = await backplane.SubscribeAsync(OnMessageAsync, stoppingToken).ConfigureAwait(false);
                if (attempt > 1)
                {
                    // Messages published before we listened were missed: re-read what local clients follow.
                    fanOut.RepairAll();
                }

                return subscription;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                Log.SubscribeFailed(logger, attempt, delay, ex);
            }

            try
            {
                await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 30_000));
        }

        return null;
    }

    private async Task SweepLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.CurrentValue.Presence.SweepInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            try
            {
                presence.Sweep();
                fallback.Sweep();
                connections.CloseExpired(time, options.CurrentValue.Limits);
                documents.Evict(TimeSpan.FromMinutes(10));
            }
            catch (Exception ex)
            {
                Log.SweepFailed(logger, ex);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        connections.CloseAll(Protocol.CloseCodes.GoingAway, "server shutting down");
        try
        {
            await inbox.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.SweepFailed(logger, ex);
        }

        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    private Task OnMessageAsync(BackplaneMessage message)
    {
        switch (message.Kind)
        {
            case BackplaneMessageKind.Op when message.SourceNode != node.Id:
                // The payload is the serialized op frame: the same bytes go to this node's subscribers.
                fanOut.DeliverLocal(message.Channel, message.Revision, message.Payload.ToArray());
                break;
            case BackplaneMessageKind.Presence when message.SourceNode != node.Id:
                presence.ApplyRemote(message);
                break;
            case BackplaneMessageKind.Reconnected when message.Channel.Length > 0:
                fanOut.RepairChannel(message.Channel);
                break;
            case BackplaneMessageKind.Reconnected:
                Log.BackplaneReconnected(logger);
                fanOut.RepairAll();
                break;
        }

        return Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1601, EventName = "SweepFailed", Level = LogLevel.Error, Message = "A periodic sweep failed.")]
        public static partial void SweepFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 1602, EventName = "BackplaneReconnected", Level = LogLevel.Information, Message = "The backplane reconnected; re-reading every subscribed channel from the store.")]
        public static partial void BackplaneReconnected(ILogger logger);

        [LoggerMessage(EventId = 1603, EventName = "BackplaneSubscribeFailed", Level = LogLevel.Warning, Message = "Subscribing to the backplane failed (attempt {Attempt}); retrying in {Delay}. Until then this node serves only its own clients live.")]
        public static partial void SubscribeFailed(ILogger logger, int attempt, TimeSpan delay, Exception exception);
    }
}
