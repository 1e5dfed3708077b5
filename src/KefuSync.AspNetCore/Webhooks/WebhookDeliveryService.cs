using KefuSync.Conversations;
using KefuSync.Diagnostics;
using KefuSync.Stores;
using KefuSync.Sync;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KefuSync.Webhooks;

/// <summary>
/// Runs one <see cref="WebhookRunner"/> per endpoint on every node; the endpoint's lease decides which node sends.
/// Endpoints of the options are read at start. Endpoints added in the console (<see cref="ConsoleWebhookDirectory"/>)
/// are followed while running: at once on the node that made the change, within <see cref="ConsoleSyncInterval"/> on the
/// others; a removed one's runner stops as at a graceful shutdown (its lease released).
/// </summary>
internal sealed partial class WebhookDeliveryService(
    IOpStore store,
    IServiceProvider services,
    IHttpClientFactory http,
    TimeProvider time,
    NodeIdentity node,
    KefuMetrics metrics,
    InboxWakeup wakeup,
    ConsoleWebhookDirectory console,
    IOptionsMonitor<KefuSyncOptions> options,
    ILogger<WebhookRunner> logger,
    IHostApplicationLifetime? lifetime = null) : BackgroundService
{
    /// <summary>How often a node looks for endpoints added or removed in the console on another node.</summary>
    internal static readonly TimeSpan ConsoleSyncInterval = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, Running> _running = new(StringComparer.Ordinal);
    private List<WebhookRunner> _runners = [];

    private sealed record Running(WebhookRunner Runner, CancellationTokenSource Stop, Task Run);

    /// <summary>The runners now, of the options and of the console.</summary>
    public IReadOnlyList<WebhookRunner> Runners => Volatile.Read(ref _runners);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var endpoint in options.CurrentValue.Webhooks.Endpoints)
        {
            var runner = Create(endpoint);
            await InitializeAsync(runner, cancellationToken).ConfigureAwait(false);
            _running[endpoint.Name] = new Running(runner, new CancellationTokenSource(), Task.CompletedTask);
        }

        Volatile.Write(ref _runners, [.. _running.Values.Select(r => r.Runner)]);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        lock (_running)
        {
            foreach (var (name, running) in _running.ToList())
            {
                _running[name] = running with { Run = Start(running.Runner, running.Stop, stoppingToken) };
            }
        }

        try
        {
            // The console's list is first read once the host has started: a store's own hosted service (the EF Core
            // schema) may start after this one, and reading before it logged "no such table" (ConformanceTests caught it).
            if (lifetime is not null && !lifetime.ApplicationStarted.IsCancellationRequested)
            {
                var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
                {
                    await started.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
                }
            }

            while (!stoppingToken.IsCancellationRequested)
            {
                var changed = console.Changed;
                await FollowConsoleAsync(stoppingToken).ConfigureAwait(false);
                await Task.WhenAny(changed, Task.Delay(ConsoleSyncInterval, time, stoppingToken)).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            Running[] all;
            lock (_running)
            {
                all = [.. _running.Values];
            }

            // The host's stop cancelled stoppingToken: every runner ends (releasing its lease) before the host goes on.
            await Task.WhenAll(all.Select(r => r.Run)).ConfigureAwait(false);
        }
    }

    /// <summary>Starts a runner for each console endpoint this node does not run yet, and stops those removed.</summary>
    private async Task FollowConsoleAsync(CancellationToken stoppingToken)
    {
        IReadOnlyList<ConsoleWebhook> listed;
        try
        {
            listed = await console.ListAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.ConsoleUnreadable(logger, ex); // the runners go on as they are; read again at the next turn
            return;
        }

        var configured = options.CurrentValue.Webhooks.Endpoints;
        foreach (var webhook in listed)
        {
            bool known;
            lock (_running)
            {
                known = _running.ContainsKey(webhook.Name);
            }

            if (webhook.Removed || known || configured.Any(e => e.Name == webhook.Name))
            {
                continue;
            }

            if (webhook.Endpoint is null)
            {
                Log.SecretUnreadable(logger, webhook.Name);
                continue;
            }

            var runner = Create(webhook.Endpoint);
            await InitializeAsync(runner, stoppingToken).ConfigureAwait(false);
            var stop = new CancellationTokenSource();
            lock (_running)
            {
                _running[webhook.Name] = new Running(runner, stop, Start(runner, stop, stoppingToken));
            }

            Log.ConsoleStarted(logger, webhook.Name);
        }

        foreach (var webhook in listed.Where(w => w.Removed))
        {
            Running? running;
            lock (_running)
            {
                _running.Remove(webhook.Name, out running);
            }

            if (running is not null)
            {
                await running.Stop.CancelAsync().ConfigureAwait(false);
                await running.Run.ConfigureAwait(false);
                running.Stop.Dispose();
                Log.ConsoleStopped(logger, webhook.Name);
            }
        }

        lock (_running)
        {
            Volatile.Write(ref _runners, [.. _running.Values.Select(r => r.Runner)]);
        }
    }

    private WebhookRunner Create(KefuWebhookOptions endpoint)
        => new(endpoint, options.CurrentValue.Webhooks, store, (ISnapshotStore?)services.GetService(typeof(ISnapshotStore)), http, time, node, metrics, wakeup, logger);

    /// <summary>Writes the runner's start record before it runs: that record precedes every op it will send.</summary>
    private async Task InitializeAsync(WebhookRunner runner, CancellationToken cancellationToken)
    {
        try
        {
            await runner.InitializeAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The store is down: the runner writes the start record when it can (events before then are not sent).
            Log.StartFailed(logger, runner.Name, ex);
        }
    }

    private static Task Start(WebhookRunner runner, CancellationTokenSource stop, CancellationToken stoppingToken)
    {
        var linked = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, stoppingToken);
        return Task.Run(async () =>
        {
            using (linked)
            {
                await runner.RunAsync(linked.Token).ConfigureAwait(false);
            }
        }, CancellationToken.None);
    }
}
