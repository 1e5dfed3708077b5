using System.Diagnostics.Metrics;

namespace KefuSync.Diagnostics;

/// <summary>
/// KefuSync's instruments, on the meter <c>KefuSync</c> (listen with dotnet-counters, OpenTelemetry's
/// <c>AddMeter("KefuSync")</c>, or a <see cref="MeterListener"/>). Created from <see cref="IMeterFactory"/>, so parallel
/// hosts in one process keep separate meters.
/// </summary>
internal sealed class KefuMetrics
{
    public const string MeterName = "KefuSync";

    public KefuMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        Connections = meter.CreateUpDownCounter<long>("kefusync.connections", "{connection}", "Open client connections (WebSocket and fallback).");
        Ops = meter.CreateCounter<long>("kefusync.ops.committed", "{op}", "Operations committed to the store.");
        Deliveries = meter.CreateCounter<long>("kefusync.ops.delivered", "{frame}", "Op frames queued to subscribers.");
        FanOutDuration = meter.CreateHistogram<double>("kefusync.fanout.duration", "ms", "Time to queue one committed op to every local subscriber.");
        StoreDuration = meter.CreateHistogram<double>("kefusync.store.duration", "ms", "Duration of store calls on the submit path.");
        GapsRepaired = meter.CreateCounter<long>("kefusync.gaps.repaired", "{repair}", "Subscriptions that saw a revision gap and were repaired from the store.");
        Errors = meter.CreateCounter<long>("kefusync.errors", "{error}", "Error frames sent to clients, by code.");
        EmailsSent = meter.CreateCounter<long>("kefusync.emails.sent", "{email}", "Emails accepted by the sender, by kind (follow_up, transcript, agent).");
        EmailsFailed = meter.CreateCounter<long>("kefusync.emails.failed", "{email}", "Email attempts that failed or were given up.");
        SlowConsumers = meter.CreateCounter<long>("kefusync.connections.slow_consumer", "{connection}", "Connections closed because their send queue was full.");
        WebhooksDelivered = meter.CreateCounter<long>("kefusync.webhooks.delivered", "{event}", "Webhook events answered 2xx, by endpoint.");
        WebhooksFailed = meter.CreateCounter<long>("kefusync.webhooks.failed", "{attempt}", "Webhook delivery attempts that failed (status, connection, refused address, timeout), by endpoint.");
        WebhooksPaused = meter.CreateCounter<long>("kefusync.webhooks.paused", "{pause}", "Webhook endpoints paused after an event failed every attempt, by endpoint.");
        BotTurns = meter.CreateCounter<long>("kefusync.bot.turns", "{turn}", "Visitor messages a bot answered.");
        BotFailures = meter.CreateCounter<long>("kefusync.bot.failures", "{turn}", "Bot turns that threw or timed out (each hands the conversation over), by reason (error, timeout).");
        BotHandovers = meter.CreateCounter<long>("kefusync.bot.handovers", "{handover}", "Conversations a bot handed over to people, by why (bot, visitor, error, timeout, agent).");
        Ratings = meter.CreateCounter<long>("kefusync.ratings", "{rating}", "Ratings visitors gave closed conversations, by score (1-5; thumbs are 1 and 5).");
        FallbackRelayed = meter.CreateCounter<long>("kefusync.fallback.relayed", "{request}", "Fallback send, event-stream and poll requests forwarded to the node that holds their session.");
    }

    public UpDownCounter<long> Connections { get; }

    public Counter<long> Ops { get; }

    public Counter<long> Deliveries { get; }

    public Histogram<double> FanOutDuration { get; }

    public Histogram<double> StoreDuration { get; }

    public Counter<long> GapsRepaired { get; }

    public Counter<long> Errors { get; }

    public Counter<long> EmailsSent { get; }

    public Counter<long> EmailsFailed { get; }

    public Counter<long> SlowConsumers { get; }

    public Counter<long> WebhooksDelivered { get; }

    public Counter<long> WebhooksFailed { get; }

    public Counter<long> WebhooksPaused { get; }

    public Counter<long> FallbackRelayed { get; }

    public Counter<long> Ratings { get; }

    public Counter<long> BotTurns { get; }

    public Counter<long> BotFailures { get; }

    public Counter<long> BotHandovers { get; }
}
