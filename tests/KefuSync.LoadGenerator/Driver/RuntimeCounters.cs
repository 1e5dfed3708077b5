using System.Globalization;

namespace KefuSync.LoadGenerator.Driver;

/// <summary>
/// A server's cumulative runtime counters, as served by <c>/__bench/gcstats</c>: read before and after a window and
/// subtract. Summed over the nodes of a multi-node run.
/// </summary>
internal readonly record struct RuntimeCounters(
    double Collections,
    double Gen1,
    double Gen2,
    double PauseMs,
    double AllocatedBytes,
    double JitMethods,
    double JitMs)
{
    /// <summary>Parses the endpoint's answer: seven numbers separated by spaces, in the order of the fields.</summary>
    public static RuntimeCounters Parse(string text)
    {
        var v = text.Split(' ').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        if (v.Length != 7)
        {
            throw new FormatException($"/__bench/gcstats answered '{text}': expected 7 numbers.");
        }

        return new(v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
    }

    public static RuntimeCounters operator +(RuntimeCounters a, RuntimeCounters b) => new(
        a.Collections + b.Collections, a.Gen1 + b.Gen1, a.Gen2 + b.Gen2, a.PauseMs + b.PauseMs,
        a.AllocatedBytes + b.AllocatedBytes, a.JitMethods + b.JitMethods, a.JitMs + b.JitMs);

    public static RuntimeCounters operator -(RuntimeCounters a, RuntimeCounters b) => new(
        a.Collections - b.Collections, a.Gen1 - b.Gen1, a.Gen2 - b.Gen2, a.PauseMs - b.PauseMs,
        a.AllocatedBytes - b.AllocatedBytes, a.JitMethods - b.JitMethods, a.JitMs - b.JitMs);
}
