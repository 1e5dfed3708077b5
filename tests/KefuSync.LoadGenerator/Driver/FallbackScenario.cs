using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace KefuSync.LoadGenerator.Driver;

/// <summary>
/// The cost of the extra hop of a fallback session across nodes (docs/benchmarks.md, "Fallback across nodes"): one
/// long-polling client, a session opened on node A, and sequential round trips (POST send a ping, the pong comes back
/// in a poll). <c>local</c>: send and poll on node A. <c>relayed</c>: send and poll on node B, so both are forwarded to
/// A over the Redis backplane, as behind a balancer that sends every request to the other node.
/// </summary>
internal static class FallbackScenario
{
    public static async Task<RunResult> RunAsync(ServerProcess a, ServerProcess b, int rounds, int warmup, Func<double> redisCpu)
    {
        var result = new RunResult();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        foreach (var (name, via) in new[] { ("local", a), ("relayed", b) })
        {
            using var connect = await http.PostAsync(new Uri(a.Address, "/kefu/connect"), new StringContent("""{"t":"hello","v":1,"client":"bench"}""", Encoding.UTF8, "application/json")).ConfigureAwait(false);
            var session = JsonDocument.Parse(await connect.Content.ReadAsStringAsync().ConfigureAwait(false)).RootElement.GetProperty("session").GetString()!;
            var sendUri = new Uri(via.Address, "/kefu/send?session=" + Uri.EscapeDataString(session));
            long after = 0;
            var latencies = new List<double>(rounds);
            double cpu0 = 0;
            for (var i = 0; i < warmup + rounds; i++)
            {
                if (i == warmup)
                {
                    cpu0 = a.CpuSeconds() + b.CpuSeconds() + redisCpu();
                }

                var q = "p" + i.ToString(CultureInfo.InvariantCulture);
                var started = Stopwatch.GetTimestamp();
                using (var sent = await http.PostAsync(sendUri, new StringContent($$"""[{"t":"ping","q":"{{q}}"}]""", Encoding.UTF8, "application/json")).ConfigureAwait(false))
                {
                    if (!sent.IsSuccessStatusCode)
                    {
                        result.Failures.Add($"{name}: send answered {(int)sent.StatusCode}");
                        return result;
                    }
                }

                var seen = false;
                while (!seen)
                {
                    var poll = await http.GetStringAsync(new Uri(via.Address, $"/kefu/poll?session={Uri.EscapeDataString(session)}&after={after}")).ConfigureAwait(false);
                    var body = JsonDocument.Parse(poll).RootElement;
                    var frames = body.GetProperty("frames");
                    if (body.GetProperty("seq").GetInt64() != after + frames.GetArrayLength())
                    {
                        result.Failures.Add($"{name}: a batch skipped or repeated a sequence number");
                    }

                    after = body.GetProperty("seq").GetInt64();
                    foreach (var frame in frames.EnumerateArray())
                    {
                        seen |= frame.TryGetProperty("q", out var echo) && echo.GetString() == q;
                    }
                }

                if (i >= warmup)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
                }
            }

            var cpu = a.CpuSeconds() + b.CpuSeconds() + redisCpu() - cpu0;
            latencies.Sort();
            result.Metrics[$"{name}_rtt_p50_us"] = latencies[latencies.Count / 2];
            result.Metrics[$"{name}_rtt_p99_us"] = latencies[Math.Min(latencies.Count - 1, (int)(latencies.Count * 0.99))];
            result.Metrics[$"{name}_cpu_us_per_round_trip"] = cpu * 1e6 / rounds;
        }

        return result;
    }
}
