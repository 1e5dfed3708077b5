using System.Diagnostics;
using System.Globalization;

namespace KefuSync.LoadGenerator.Driver;

/// <summary>
/// A throwaway Redis Cluster for the cluster scenarios: three primaries on free loopback ports, no replicas (a benchmark
/// measures the steady state, not failover; the failover tests in tests/KefuSync.Stores.Tests use replicas), joined with
/// <c>redis-cli --cluster create</c>. Killed on dispose. Needs redis-server and redis-cli 7 or newer (sharded pub/sub).
/// </summary>
internal sealed class RedisClusterProcess : IDisposable
{
    private readonly List<RedisProcess> _nodes;
    private readonly string _directory;

    private RedisClusterProcess(List<RedisProcess> nodes, string directory)
    {
        _nodes = nodes;
        _directory = directory;
    }

    /// <summary>A StackExchange.Redis configuration string naming every primary.</summary>
    public string Configuration => string.Join(",", _nodes.Select(n => n.Configuration));

    public static async Task<RedisClusterProcess> StartAsync(int primaries = 3)
    {
        var cli = new[] { "/usr/bin/redis-cli", "/usr/local/bin/redis-cli" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("redis-cli was not found (it creates the cluster). Install it with: apt-get install -y redis-server");
        var directory = Directory.CreateTempSubdirectory("kefu-bench-cluster-").FullName;
        var nodes = new List<RedisProcess>();
        var cluster = new RedisClusterProcess(nodes, directory);
        try
        {
            for (var i = 0; i < primaries; i++)
            {
                nodes.Add(await RedisProcess.StartAsync("--cluster-enabled", "yes", "--cluster-config-file", $"nodes-{i}.conf", "--dir", directory).ConfigureAwait(false));
            }

            await RunAsync(cli, ["--cluster", "create", .. nodes.Select(n => n.Configuration), "--cluster-replicas", "0", "--cluster-yes"]).ConfigureAwait(false);
            var deadline = Stopwatch.GetTimestamp() + (30 * Stopwatch.Frequency);
            while (true)
            {
                var ok = 0;
                foreach (var node in nodes)
                {
                    var info = await RunAsync(cli, ["-p", node.Port.ToString(CultureInfo.InvariantCulture), "cluster", "info"]).ConfigureAwait(false);
                    ok += info.Contains("cluster_state:ok", StringComparison.Ordinal) ? 1 : 0;
                }

                if (ok == nodes.Count)
                {
                    return cluster;
                }

                if (Stopwatch.GetTimestamp() > deadline)
                {
                    throw new TimeoutException("the Redis Cluster did not reach cluster_state:ok within 30 s");
                }

                await Task.Delay(100).ConfigureAwait(false);
            }
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>User + system CPU seconds of all primaries so far.</summary>
    public double CpuSeconds() => _nodes.Sum(n => n.CpuSeconds());

    public void Dispose()
    {
        foreach (var node in _nodes)
        {
            node.Dispose();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort: it is in the temp directory
        }
    }

    private static async Task<string> RunAsync(string file, string[] arguments)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + file);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error.ConfigureAwait(false)}");
        }

        return await output.ConfigureAwait(false);
    }
}
