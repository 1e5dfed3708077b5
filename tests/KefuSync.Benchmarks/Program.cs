using System.Diagnostics;
using BenchmarkDotNet.Running;
using KefuSync.Benchmarks;

// KefuSync micro-benchmarks. See docs/benchmarks.md.
//   dotnet run -c Release --project tests/KefuSync.Benchmarks -- --filter '*'                 BenchmarkDotNet (all)
//   dotnet run -c Release --project tests/KefuSync.Benchmarks -- --filter '*Ot*' --job short  one class, short job
//   dotnet run -c Release --project tests/KefuSync.Benchmarks -- replay [trace ...]            quick replay report (no
//        BenchmarkDotNet): each trace through the server path, 1 warm-up + 5 timed runs, median ops/s, end text checked
//   dotnet run -c Release --project tests/KefuSync.Benchmarks -- attachments                   attachment figures: 20 MB
//        upload throughput, memory during ten parallel 20 MB uploads, 12-megapixel thumbnail time
if (args.Length > 0 && args[0] == "attachments")
{
    return await AttachmentBench.RunAsync();
}

if (args.Length > 0 && args[0] == "replay")
{
    return await Replay.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(OtBenchmarks).Assembly).Run(args);
return 0;

internal static class Replay
{
    public static async Task<int> RunAsync(string[] names)
    {
        var failed = false;
        Console.WriteLine("| trace | edits | final chars | median ms | ops/s (median of 5) | runs (ms) | dedupe entries left (tab ids / UUIDs) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---|---:|");
        foreach (var name in names.Length > 0 ? names : EditingTrace.Names)
        {
            var trace = EditingTrace.Load(name);
            var times = new List<double>();
            long tabEntries = 0;
            for (var run = 0; run < 6; run++)
            {
                using var server = new ServerDocumentPath();
                GC.Collect();
                var started = Stopwatch.GetTimestamp();
                await server.ReplayAsync(trace.Json).ConfigureAwait(false);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (run == 0)
                {
                    var text = await server.TextAsync().ConfigureAwait(false);
                    if (text != trace.EndContent)
                    {
                        Console.WriteLine($"{name}: the replayed document differs from endContent ({text.Length} vs {trace.EndContent.Length} chars)");
                        failed = true;
                    }

                    tabEntries = server.DedupeEntries;

                    continue; // warm-up
                }

                times.Add(elapsed);
            }

            // The same trace with unsequenced ids (a third-party client's UUIDs): their ids go when trimming removes their ops.
            long uuidEntries;
            using (var uuids = new ServerDocumentPath())
            {
                await uuids.ReplayAsync(trace.Json, uuidIds: true).ConfigureAwait(false);
                uuidEntries = uuids.DedupeEntries;
            }

            times.Sort();
            var median = times[times.Count / 2];
            Console.WriteLine($"| {name} | {trace.Operations.Length:N0} | {trace.EndContent.Length:N0} | {median:F0} | {trace.Operations.Length / (median / 1000):N0} | {string.Join(", ", times.Select(t => t.ToString("F0")))} | {tabEntries:N0} / {uuidEntries:N0} |");
        }

        return failed ? 1 : 0;
    }
}
