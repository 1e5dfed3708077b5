using KefuSync.Stores;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KefuSync.Hosting;

/// <summary>Healthy when the op store answers a revision read within the timeout.</summary>
internal sealed class StoreHealthCheck(IOpStore store) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            await store.GetRevisionAsync("health:probe", timeout.Token).WaitAsync(timeout.Token).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"{store.GetType().Name} answers.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"{store.GetType().Name} did not answer: {ex.Message}", ex);
        }
    }
}
