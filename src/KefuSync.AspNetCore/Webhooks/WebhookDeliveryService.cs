using KefuSync.Conversations;
using KefuSync.Diagnostics;
using KefuSync.Stores;
using KefuSync.Sync;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KefuSync.Webhooks;

/// <summary>
/// Runs one <see cref="WebhookRunner"/> per configured endpoint on every node; the endpoint's lease decides which node
/// sends. Endpoints are read at start: a changed list takes effect at the next start.
/// </summary>
internal sealed partial class WebhookDeliveryService(
    IOpStore store,
    IServiceProvider services,
    IHttpClientFactory http,
    TimeProvider time,
    NodeIdentity node,
    KefuMetrics metrics,
    InboxWakeup wakeup,
    IOptionsMonitor<KefuSyncOptions> options,
    ILogger<WebhookRunner> logger) : BackgroundService
{
    private List<WebhookRunner> _runners = [];

    public IReadOnlyList<WebhookRunner> Runners => _runners;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var delivery = options.CurrentValue.Webhooks;
        var snapshots = (ISnapshotStore?)services.GetService(typeof(ISnapshotStore));
        _runners = [.. delivery.Endpoints.Select(e => new WebhookRunner(e, delivery, store, snapshots, http, time, node, metrics, wakeup, logger))];
        foreach (var runner in _runners)
        {
            try
            {
                // Before the host starts serving: the endpoint's start record precedes every op it will send.
                await runner.InitializeAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The store is down: the runner writes the start record when it can (events before then are not sent).
                Log.StartFailed(logger, runner.Name, ex);
            }
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
        => Task.WhenAll(_runners.Select(r => Task.Run(() => r.RunAsync(stoppingToken), CancellationToken.None)));
}
