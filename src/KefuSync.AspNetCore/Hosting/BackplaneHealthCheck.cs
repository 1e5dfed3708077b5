using KefuSync.Backplane;
using KefuSync.Sync;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KefuSync.Hosting;

/// <summary>Healthy when the backplane accepts a publish within the timeout (an empty presence announcement, harmless to every node).</summary>
internal sealed class BackplaneHealthCheck(IBackplane backplane, NodeIdentity node) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);
    private static readonly byte[] EmptyPresence = "[]"u8.ToArray();

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            var probe = new BackplaneMessage(BackplaneMessageKind.Presence, "health:probe", 0, node.Id, EmptyPresence);
            await backplane.PublishAsync(probe, timeout.Token).WaitAsync(timeout.Token).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"{backplane.GetType().Name} accepts messages.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"{backplane.GetType().Name} refused a message: {ex.Message}", ex);
        }
    }
}
