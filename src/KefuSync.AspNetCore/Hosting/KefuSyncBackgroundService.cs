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
    ConnectionRegistry connections,
    TimeProvider time,
    IOptionsMonitor<KefuSyncOptions> options,
    ILogger<KefuSyncBackgroundService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var subscription = await backplane.SubscribeAsync(OnMessageAsync, stoppingToken).ConfigureAwait(false);
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
    }
}
