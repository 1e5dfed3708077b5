using System.Diagnostics.Metrics;

namespace KefuSync.Redis.Backplane;

/// <summary>
/// The Redis backplane's instruments, on the same meter as the core's (<c>KefuSync</c>). Created from
/// <see cref="IMeterFactory"/>, so parallel hosts in one process keep separate counts.
/// </summary>
internal sealed class BackplaneMetrics
{
    public const string MeterName = "KefuSync";

    public BackplaneMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter = meterFactory.Create(MeterName);
        Dropped = Meter.CreateCounter<long>(
            "kefusync.backplane.dropped", "{message}",
            "Backplane messages dropped because the receive queue was full; their channels are re-read from the store.");
        Received = Meter.CreateCounter<long>(
            "kefusync.backplane.received", "{message}",
            "Backplane messages this node received from Redis (its own included), queued or dropped.");
    }

    public Meter Meter { get; }

    public Counter<long> Dropped { get; }

    public Counter<long> Received { get; }

    /// <summary>Publishes the queue size as an observable gauge; called once by the backplane.</summary>
    public void ObserveQueue(Func<long> queuedBytes) =>
        Meter.CreateObservableGauge("kefusync.backplane.queue.size", queuedBytes, "By", "Bytes of backplane messages waiting for this node's handlers.");
}
