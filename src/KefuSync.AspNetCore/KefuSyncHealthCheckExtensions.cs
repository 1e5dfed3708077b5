using KefuSync.Hosting;
using KefuSync.Webhooks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Health checks for KefuSync: <c>builder.Services.AddKefuSync().AddHealthChecks()</c>, then <c>app.MapHealthChecks("/health")</c>.</summary>
public static class KefuSyncHealthCheckExtensions
{
    /// <summary>
    /// Adds the checks <c>kefusync-store</c> and <c>kefusync-backplane</c>, tagged <c>kefusync</c> and <c>ready</c>, and
    /// <c>kefusync-webhooks</c> (Degraded while an endpoint is paused), tagged <c>kefusync</c>: a paused receiver must not
    /// take the node out of a load balancer.
    /// </summary>
    /// <param name="builder">The KefuSync builder.</param>
    /// <param name="failureStatus">Reported when a check fails; default <see cref="HealthStatus.Unhealthy"/>.</param>
    public static KefuSync.IKefuSyncBuilder AddHealthChecks(this KefuSync.IKefuSyncBuilder builder, HealthStatus failureStatus = HealthStatus.Unhealthy)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddHealthChecks()
            .AddCheck<StoreHealthCheck>("kefusync-store", failureStatus, ["kefusync", "ready"])
            .AddCheck<BackplaneHealthCheck>("kefusync-backplane", failureStatus, ["kefusync", "ready"])
            .AddCheck<WebhookHealthCheck>("kefusync-webhooks", HealthStatus.Degraded, ["kefusync"]);
        return builder;
    }
}
