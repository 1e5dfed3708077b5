using System.Diagnostics;
using System.Globalization;
using System.Text;
using KefuSync.LoadGenerator.Driver;
using KefuSync.LoadGenerator.Servers;

// KefuSync end-to-end load generator. See docs/benchmarks.md for the commands and what each scenario measures.
//   dotnet tests/KefuSync.LoadGenerator/bin/Release/net10.0/KefuSync.LoadGenerator.dll [options]
//     --smoke                 tiny sizes, one repetition, all servers; exit 1 on any correctness failure, prints SMOKE OK
//     --reps N                repetitions (default 5); each run starts a fresh server process
//     --scenarios a,b,...     idle,connect,fanout,saturation,room1000,coedit,catchup,catchup-sqlite,catchup-redis,twonode,threenode,twonode-cluster,threenode-cluster,idlenode,slow,fallback,
//                             burst-connect,long-room,webhooks
//                             (default: all; the Redis ones start a throwaway redis-server on a free loopback port,
//                             the -cluster ones a Redis Cluster of three primaries)
//     --servers a,b,...       kefu,raw,signalr (default: all)
//     --gc workstation|server the servers' GC mode (default workstation)
//     --warmup SECONDS        load before each measured window (default 5; smoke 0.5)
//     --out FILE              also write the result tables (markdown) to FILE
//   ... server kefu|raw|signalr   (internal) run one server; the driver starts these
if (args.Length > 0 && args[0] == "server")
{
    return await BenchServers.RunAsync(args[1..]);
}

return await Runner.RunAsync(args);

internal static class Runner
{
    private static readonly string[] AllScenarios = ["idle", "connect", "fanout", "saturation", "room1000", "coedit", "catchup", "catchup-sqlite", "catchup-redis", "twonode", "threenode", "twonode-cluster", "threenode-cluster", "idlenode", "slow", "fallback", "burst-connect", "long-room", "webhooks"];
    private static readonly string[] AllServers = ["kefu", "raw", "signalr"];
    private static readonly HashSet<string> KefuOnly = ["coedit", "catchup", "catchup-sqlite", "catchup-redis", "twonode", "threenode", "twonode-cluster", "threenode-cluster", "idlenode", "fallback", "burst-connect", "long-room", "webhooks"];

    public static async Task<int> RunAsync(string[] args)
    {
        var smoke = args.Contains("--smoke");
        var reps = int.Parse(Option(args, "--reps") ?? (smoke ? "1" : "5"), CultureInfo.InvariantCulture);
        var scenarios = (Option(args, "--scenarios")?.Split(',') ?? AllScenarios).ToArray();
        var servers = (Option(args, "--servers")?.Split(',') ?? AllServers).ToArray();
        var gc = Option(args, "--gc") ?? "workstation";
        var output = Option(args, "--out");
        var sizes = smoke ? Sizes.Smoke : new Sizes();
        if (Option(args, "--warmup") is { } warmup)
        {
            sizes = sizes with { Warmup = TimeSpan.FromSeconds(double.Parse(warmup, CultureInfo.InvariantCulture)) };
        }
        foreach (var s in scenarios.Where(s => !AllScenarios.Contains(s)).Concat(servers.Where(s => !AllServers.Contains(s))))
        {
            await Console.Error.WriteLineAsync($"unknown scenario or server '{s}'").ConfigureAwait(false);
            return 2;
        }

        var started = Stopwatch.GetTimestamp();
        Console.WriteLine($"KefuSync load generator: {(smoke ? "SMOKE" : "full")} run, {reps} repetition(s), scenarios {string.Join(",", scenarios)}, servers {string.Join(",", servers)}, server GC {gc}");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");

        // values[(scenario, metric, server)] = one value per run
        var values = new Dictionary<(string Scenario, string Metric, string Server), List<double>>();
        var failures = new List<string>();
        var notes = new List<string>();
        for (var rep = 0; rep < reps; rep++)
        {
            foreach (var scenario in scenarios)
            {
                // Alternate the servers, rotating the order every repetition.
                var order = servers.Where(s => !KefuOnly.Contains(scenario) || s == "kefu").ToArray();
                order = [.. order.Skip(rep % Math.Max(1, order.Length)), .. order.Take(rep % Math.Max(1, order.Length))];
                foreach (var server in order)
                {
                    var label = $"rep {rep + 1}/{reps} {scenario,-10} {server,-7}";
                    RunResult result;
                    var t0 = Stopwatch.GetTimestamp();
                    try
                    {
                        result = await RunOneAsync(scenario, server, gc, sizes).WaitAsync(TimeSpan.FromSeconds(180)).ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        result = new RunResult();
                        result.Failures.Add($"run failed: {ex.GetType().Name}: {ex.Message}");
                    }

                    foreach (var (metric, value) in result.Metrics)
                    {
                        var key = (scenario, metric, server);
                        if (!values.TryGetValue(key, out var list))
                        {
                            values[key] = list = [];
                        }

                        list.Add(value);
                    }

                    while (ServerProcess.LoggedFailures.TryDequeue(out var logged))
                    {
                        result.Failures.Add(logged);
                    }

                    Console.WriteLine($"{label} {Stopwatch.GetElapsedTime(t0).TotalSeconds,5:F1}s  " + string.Join("  ", result.Metrics.Select(m => $"{m.Key}={Format(m.Value)}")));
                    foreach (var failure in result.Failures)
                    {
                        Console.WriteLine($"  FAIL {failure}");
                        failures.Add($"{label.Trim()}: {failure}");
                    }

                    foreach (var note in result.Notes)
                    {
                        Console.WriteLine($"  note {note}");
                        notes.Add($"{label.Trim()}: {note}");
                    }
                }
            }
        }

        var report = Report(values, servers, scenarios, reps, gc, smoke);
        Console.WriteLine();
        Console.WriteLine(report);
        if (output is not null)
        {
            await File.WriteAllTextAsync(output, report + (failures.Count > 0 ? "\nFailures:\n" + string.Join("\n", failures) + "\n" : "")).ConfigureAwait(false);
        }

        Console.WriteLine($"total time {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s");
        if (failures.Count > 0)
        {
            Console.WriteLine($"{failures.Count} CORRECTNESS FAILURE(S):");
            foreach (var failure in failures)
            {
                Console.WriteLine("  " + failure);
            }

            return 1;
        }

        Console.WriteLine(smoke ? "SMOKE OK" : "RUN OK (no correctness failure)");
        return 0;
    }

    private static async Task<RunResult> RunOneAsync(string scenario, string server, string gc, Sizes sizes)
    {
        var kind = server switch
        {
            "kefu" => ServerKind.Kefu,
            "raw" => ServerKind.Raw,
            _ => ServerKind.SignalR,
        };
        switch (scenario)
        {
            case "catchup-sqlite":
            {
                // The EF Core store on a SQLite file in the temp folder, deleted afterwards.
                var path = Path.Combine(Path.GetTempPath(), $"kefu-bench-{Guid.NewGuid():N}.db");
                try
                {
                    using var node = await ServerProcess.StartAsync(server, gc, "sqlite", path).ConfigureAwait(false);
                    return await Scenarios.CatchUpAsync(node, sizes).ConfigureAwait(false);
                }
                finally
                {
                    foreach (var file in new[] { path, path + "-wal", path + "-shm", path + "-journal" })
                    {
                        File.Delete(file);
                    }
                }
            }

            case "catchup-redis":
            {
                using var redis = await RedisProcess.StartAsync().ConfigureAwait(false);
                using var node = await ServerProcess.StartAsync(server, gc, "redis", redis.Configuration).ConfigureAwait(false);
                return await Scenarios.CatchUpAsync(node, sizes).ConfigureAwait(false);
            }

            case "idlenode":
            {
                // The cost of an announcement a node does not need: node A carries the whole fan-out, node B (same Redis,
                // same prefix) has no client at all, so everything it receives is waste. This is what partitioning the
                // backplane by interest would save (docs/benchmarks.md, "Backplane partitioning").
                using var redis = await RedisProcess.StartAsync().ConfigureAwait(false);
                using var a = await ServerProcess.StartAsync(server, gc, "redis", redis.Configuration).ConfigureAwait(false);
                using var b = await ServerProcess.StartAsync(server, gc, "redis", redis.Configuration).ConfigureAwait(false);
                var run = await Scenarios.FanOutAsync([a], ServerKind.Kefu, sizes, sizes.FanOutRooms, sizes.FanOutMembers, sizes.FanOutRate, window: 0, sizes.Measure, b.CpuSeconds).ConfigureAwait(false);
                if (run.Metrics.Remove("redis_cpu_us_per_delivery", out var idlePerDelivery))
                {
                    // FanOutAsync reports the extra process per delivery; one announcement makes FanOutMembers deliveries.
                    run.Metrics["idle_node_cpu_us_per_announcement"] = idlePerDelivery * sizes.FanOutMembers;
                    run.Metrics["busy_node_cpu_us_per_announcement"] = run.Metrics["cpu_us_per_delivery"] * sizes.FanOutMembers;
                }

                if (a.HasExited || b.HasExited)
                {
                    run.Failures.Add("a server process exited during the run");
                }

                return run;
            }

            case "fallback":
            {
                // A long-polling session on node A, its requests served by A itself or forwarded from node B (the extra hop).
                using var redis = await RedisProcess.StartAsync().ConfigureAwait(false);
                using var a = await ServerProcess.StartAsync(server, gc, "redis", redis.Configuration).ConfigureAwait(false);
                using var b = await ServerProcess.StartAsync(server, gc, "redis", redis.Configuration).ConfigureAwait(false);
                return await FallbackScenario.RunAsync(a, b, sizes.FallbackRounds, sizes.FallbackWarmupRounds, redis.CpuSeconds).ConfigureAwait(false);
            }

            case "burst-connect":
            {
                // Everyone reconnects after a restart: the store must outlive the node, so Redis.
                using var redis = await RedisProcess.StartAsync().ConfigureAwait(false);
                return await BurstScenarios.BurstConnectAsync(() => ServerProcess.StartAsync(server, gc, "redis", redis.Configuration), sizes).ConfigureAwait(false);
            }

            case "webhooks":
                return await WebhookScenario.RunAsync(gc, sizes).ConfigureAwait(false);

            case "long-room":
            {
                using var node = await ServerProcess.StartAsync(server, gc).ConfigureAwait(false);
                return await BurstScenarios.LongRoomAsync(node, sizes).ConfigureAwait(false);
            }

            case "twonode":
            case "threenode":
            case "twonode-cluster":
            case "threenode-cluster":
            {
                // Two or three KefuSync nodes sharing the Redis store and backplane (one redis-server, or a Redis Cluster
                // of three primaries), the fan-out load split across them: every message crosses the backplane.
                var count = scenario.StartsWith("two", StringComparison.Ordinal) ? 2 : 3;
                using var single = scenario.EndsWith("-cluster", StringComparison.Ordinal) ? null : await RedisProcess.StartAsync().ConfigureAwait(false);
                using var cluster = single is null ? await RedisClusterProcess.StartAsync().ConfigureAwait(false) : null;
                var configuration = single?.Configuration ?? cluster!.Configuration;
                Func<double> redisCpu = single is null ? cluster!.CpuSeconds : single.CpuSeconds;
                var nodes = new List<ServerProcess>();
                try
                {
                    for (var i = 0; i < count; i++)
                    {
                        nodes.Add(await ServerProcess.StartAsync(server, gc, "redis", configuration).ConfigureAwait(false));
                    }

                    var run = await Scenarios.FanOutAsync([.. nodes], ServerKind.Kefu, sizes, sizes.FanOutRooms, sizes.FanOutMembers, sizes.FanOutRate, window: 0, sizes.Measure, redisCpu).ConfigureAwait(false);
                    if (nodes.Any(n => n.HasExited))
                    {
                        run.Failures.Add("a server process exited during the run");
                    }

                    return run;
                }
                finally
                {
                    foreach (var node in nodes)
                    {
                        node.Dispose();
                    }
                }
            }
        }

        using var process = await ServerProcess.StartAsync(server, gc).ConfigureAwait(false);
        var result = scenario switch
        {
            "idle" => await Scenarios.IdleAsync(process, kind, sizes).ConfigureAwait(false),
            "connect" => await Scenarios.ConnectAsync(process, kind, sizes).ConfigureAwait(false),
            "fanout" => await Scenarios.FanOutAsync(process, kind, sizes, sizes.FanOutRooms, sizes.FanOutMembers, sizes.FanOutRate, window: 0, sizes.Measure).ConfigureAwait(false),
            "saturation" => await Scenarios.FanOutAsync(process, kind, sizes, sizes.FanOutRooms, sizes.FanOutMembers, rate: 0, sizes.SaturationWindow, sizes.SaturationMeasure).ConfigureAwait(false),
            "room1000" => await Scenarios.FanOutAsync(process, kind, sizes, 1, sizes.BigRoomMembers, sizes.BigRoomRate, window: 0, sizes.Measure).ConfigureAwait(false),
            "coedit" => await Scenarios.CoEditAsync(process, sizes).ConfigureAwait(false),
            "catchup" => await Scenarios.CatchUpAsync(process, sizes).ConfigureAwait(false),
            _ => await Scenarios.SlowConsumerAsync(process, kind, sizes).ConfigureAwait(false),
        };
        if (process.HasExited)
        {
            result.Failures.Add("the server process exited during the run");
        }

        return result;
    }

    private static string Report(Dictionary<(string Scenario, string Metric, string Server), List<double>> values, string[] servers, string[] scenarios, int reps, string gc, bool smoke)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Medians of {reps} run(s) per cell (fresh server process per run, server GC: {gc}{(smoke ? ", SMOKE sizes: not a measurement" : "")}). Ratio = KefuSync / raw, SignalR / raw.");
        sb.AppendLine();
        sb.Append("| scenario | metric |");
        foreach (var server in servers)
        {
            sb.Append(CultureInfo.InvariantCulture, $" {server} |");
        }

        var hasRaw = servers.Contains("raw");
        if (hasRaw)
        {
            foreach (var server in servers.Where(s => s != "raw"))
            {
                sb.Append(CultureInfo.InvariantCulture, $" {server}/raw |");
            }
        }

        sb.AppendLine();
        sb.Append("|---|---|");
        sb.Append(string.Concat(Enumerable.Repeat("---:|", servers.Length + (hasRaw ? servers.Length - 1 : 0))));
        sb.AppendLine();
        foreach (var scenario in scenarios)
        {
            foreach (var metric in values.Keys.Where(k => k.Scenario == scenario).Select(k => k.Metric).Distinct())
            {
                sb.Append(CultureInfo.InvariantCulture, $"| {scenario} | {metric} |");
                double? raw = values.TryGetValue((scenario, metric, "raw"), out var rawValues) ? Median(rawValues) : null;
                foreach (var server in servers)
                {
                    sb.Append(values.TryGetValue((scenario, metric, server), out var list) ? $" {Format(Median(list))} |" : " – |");
                }

                if (hasRaw)
                {
                    foreach (var server in servers.Where(s => s != "raw"))
                    {
                        sb.Append(raw is > 0 && values.TryGetValue((scenario, metric, server), out var list) ? $" {Median(list) / raw.Value:F2}× |" : " – |");
                    }
                }

                sb.AppendLine();
            }
        }

        sb.AppendLine();
        sb.AppendLine("All runs (in order):");
        sb.AppendLine();
        foreach (var ((scenario, metric, server), list) in values.OrderBy(v => Array.IndexOf(scenarios, v.Key.Scenario)).ThenBy(v => v.Key.Metric, StringComparer.Ordinal).ThenBy(v => Array.IndexOf(servers, v.Key.Server)))
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"- {scenario} {metric} {server}: {string.Join(", ", list.Select(Format))}");
        }

        return sb.ToString();
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Format(double value) => Math.Abs(value) switch
    {
        double.NaN => "n/a",
        >= 1000 => value.ToString("F0", CultureInfo.InvariantCulture),
        >= 10 => value.ToString("F1", CultureInfo.InvariantCulture),
        _ => value.ToString("F2", CultureInfo.InvariantCulture),
    };

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
