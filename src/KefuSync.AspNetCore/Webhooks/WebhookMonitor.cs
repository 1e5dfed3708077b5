using KefuSync.Conversations;
using KefuSync.Stores;
using Microsoft.Extensions.Options;

namespace KefuSync.Webhooks;

/// <summary>
/// <see cref="IKefuWebhooks"/>: each endpoint's state (of the options and of the console) read from its
/// <c>webhook:NAME</c> log, so every node answers the same; a resume is a record appended at the log's head.
/// </summary>
internal sealed class WebhookMonitor(IOpStore store, IServiceProvider services, TimeProvider time, InboxWakeup wakeup, ConsoleWebhookDirectory console, IOptionsMonitor<KefuSyncOptions> options) : IKefuWebhooks
{
    /// <summary>The endpoints of the options, then those added in the console and not removed.</summary>
    private async Task<List<(string Name, string Url)>> EndpointsAsync(CancellationToken cancellationToken)
    {
        var configured = options.CurrentValue.Webhooks.Endpoints;
        var all = configured.Select(e => (e.Name, e.Url)).ToList();
        all.AddRange((await console.ListAsync(cancellationToken).ConfigureAwait(false))
            .Where(w => !w.Removed && !configured.Any(e => e.Name == w.Name))
            .Select(w => (w.Name, w.Url)));
        return all;
    }

    public async Task<IReadOnlyList<KefuWebhookStatus>> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        var list = new List<KefuWebhookStatus>();
        foreach (var endpoint in await EndpointsAsync(cancellationToken).ConfigureAwait(false))
        {
            var log = await ReadAsync(endpoint.Name, cancellationToken).ConfigureAwait(false);
            list.Add(new KefuWebhookStatus
            {
                Name = endpoint.Name,
                Url = endpoint.Url,
                State = log.Paused ? KefuWebhookState.Paused : KefuWebhookState.Active,
                Node = log.HolderAt(time.GetUtcNow().ToUnixTimeMilliseconds()),
                Delivered = log.Delivered,
                LastDeliveredAt = log.LastDeliveredAt > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(log.LastDeliveredAt) : null,
                RecentFailures = [.. log.Failures],
            });
        }

        return list;
    }

    public async Task<bool> ResumeAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!(await EndpointsAsync(cancellationToken).ConfigureAwait(false)).Any(e => e.Name == name))
        {
            return false;
        }

        for (var attempt = 0; attempt < 16; attempt++)
        {
            var log = await ReadAsync(name, cancellationToken).ConfigureAwait(false);
            if (!log.Paused)
            {
                return false;
            }

            var result = await store.AppendAsync(log.Channel, log.Head, new OpDraft($"resume:{log.Head}", "host", time.GetUtcNow(), WebhookLog.Resume(time.GetUtcNow().ToUnixTimeMilliseconds())), cancellationToken).ConfigureAwait(false);
            if (result.Status != AppendStatus.Conflict)
            {
                wakeup.Pulse();
                return true;
            }
        }

        return false;
    }

    private async Task<WebhookLog> ReadAsync(string name, CancellationToken cancellationToken)
    {
        var log = new WebhookLog(name);
        // The holder trims the log behind a snapshot: start from the snapshot, then read the records after it.
        if (services.GetService(typeof(ISnapshotStore)) is ISnapshotStore snapshots
            && await snapshots.GetSnapshotAsync(log.Channel, cancellationToken).ConfigureAwait(false) is { } snapshot)
        {
            log.Restore(snapshot.Revision, snapshot.State.Span);
        }

        while (true)
        {
            var ops = await store.ReadAsync(log.Channel, log.Head, 500, cancellationToken).ConfigureAwait(false);
            foreach (var op in ops)
            {
                log.Apply(op.Revision, op.Payload.Span);
            }

            if (ops.Count < 500)
            {
                return log;
            }
        }
    }
}
