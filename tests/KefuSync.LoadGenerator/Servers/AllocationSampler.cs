using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Text;

namespace KefuSync.LoadGenerator.Servers;

/// <summary>
/// An allocation profile of the server process by type, from the runtime's own sampling: with the GC keyword at
/// verbose level the runtime raises <c>GCAllocationTick</c> about every 100 KB allocated, naming the type of the
/// object that crossed the mark and the bytes since the last tick. Summed by type over a window, that is where the
/// allocations go (a sample, so small shares are noisy). An in-process <see cref="EventListener"/> reads it, so no
/// trace file and no TraceEvent reader are needed. On only when <c>KEFU_BENCH_ALLOCS=1</c> (it costs CPU).
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const int AllocationTickV4 = 10;
    private const EventKeywords GcKeyword = (EventKeywords)0x1;

    private ConcurrentDictionary<string, long[]> _byType = new(StringComparer.Ordinal);

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventId != AllocationTickV4 || e.Payload is null || e.PayloadNames is null)
        {
            return;
        }

        var type = "?";
        long bytes = 0;
        for (var i = 0; i < e.PayloadNames.Count; i++)
        {
            switch (e.PayloadNames[i])
            {
                case "TypeName":
                    type = e.Payload[i] as string ?? "?";
                    break;
                case "AllocationAmount64":
                    bytes = Convert.ToInt64(e.Payload[i], CultureInfo.InvariantCulture);
                    break;
            }
        }

        var slot = _byType.GetOrAdd(type, static _ => new long[2]);
        Interlocked.Add(ref slot[0], bytes);
        Interlocked.Increment(ref slot[1]);
    }

    /// <summary>The table since the last call (types by bytes, largest first), and a fresh start.</summary>
    public string TakeReport(int top)
    {
        var taken = Interlocked.Exchange(ref _byType, new ConcurrentDictionary<string, long[]>(StringComparer.Ordinal));
        var total = taken.Values.Sum(v => v[0]);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"sampled {total:N0} bytes in {taken.Values.Sum(v => v[1]):N0} ticks\n");
        foreach (var (type, v) in taken.OrderByDescending(p => p.Value[0]).Take(top))
        {
            sb.Append(CultureInfo.InvariantCulture, $"{100.0 * v[0] / Math.Max(1, total),6:F1} %  {v[1],6} ticks  {type}\n");
        }

        return sb.ToString();
    }
}
