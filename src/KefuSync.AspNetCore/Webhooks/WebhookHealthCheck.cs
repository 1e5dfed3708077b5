using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KefuSync.Webhooks;

/// <summary>Degraded (by default) while a webhook endpoint is paused; its last failure is in the description.</summary>
internal sealed class WebhookHealthCheck(IKefuWebhooks webhooks) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var paused = (await webhooks.GetStatusAsync(cancellationToken).ConfigureAwait(false)).Where(s => s.State == KefuWebhookState.Paused).ToList();
        if (paused.Count == 0)
        {
            return HealthCheckResult.Healthy("No webhook endpoint is paused.");
        }

        var detail = string.Join("; ", paused.Select(p => $"{p.Name}: {p.RecentFailures.LastOrDefault()?.Error ?? "paused"}"));
        return new HealthCheckResult(context.Registration.FailureStatus, $"Paused webhook endpoints: {detail}");
    }
}
