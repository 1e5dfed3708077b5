using KefuSync.Conversations;
using KefuSync.Diagnostics;
using KefuSync.Stores;
using KefuSync.Sync;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KefuSync.Bots;

/// <summary>Runs the bot's <see cref="BotRunner"/> on every node; its lease decides which node answers.</summary>
internal sealed class BotDispatchService(
    BotRegistration registration,
    IOptions<KefuBotOptions> options,
    IOpStore store,
    CommitPipeline committer,
    IServiceProvider services,
    TimeProvider time,
    NodeIdentity node,
    KefuMetrics metrics,
    InboxWakeup wakeup,
    ILogger<BotRunner> logger) : BackgroundService
{
    public BotRunner Runner { get; } = new(options.Value, registration.BotType, store, committer, services, time, node, metrics, wakeup, logger);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Before the host serves: the start record precedes every message the bot will answer.
            await Runner.InitializeAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The store is down: the runner writes the start record when it can.
            BotRunner.Log.StartFailed(logger, Runner.Name, ex);
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Run(() => Runner.RunAsync(stoppingToken), CancellationToken.None);
}
