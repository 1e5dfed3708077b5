using System.Diagnostics;
using System.Text;

namespace KefuSync.Tests.Infrastructure;

/// <summary>
/// A real Redis Cluster on loopback: three primaries with one replica each (six redis-server processes, cluster-enabled,
/// joined by <c>redis-cli --cluster create ... --cluster-replicas 1</c>). Started once per test run through a collection
/// fixture (about 3 s). <see cref="KillPrimaryAsync"/> SIGKILLs a primary and waits until its replica has taken over;
/// <see cref="RejoinAsync"/> restarts the killed process, which comes back as a replica, so later tests again find a
/// replica behind every primary.
/// </summary>
/// <remarks>
/// Needs redis-server and redis-cli 7 or newer (sharded pub/sub, <c>SPUBLISH</c>); Debian's redis-server package has
/// both. A missing or older binary fails the tests with the command that installs it; it never skips them.
/// </remarks>
public sealed class RedisClusterFixture : IAsyncLifetime
{
    /// <summary>What to run when redis-server or redis-cli is missing.</summary>
    public const string InstallCommand = "apt-get install -y redis-server";

    /// <summary>Cluster node timeout: how long a silent primary takes to be declared failed (a failover takes about twice that).</summary>
    public const int NodeTimeoutMs = 1000;

    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(60);
    private readonly string _directory = Directory.CreateTempSubdirectory("kefu-cluster-").FullName;
    private readonly Dictionary<int, Process> _processes = [];
    private readonly StringBuilder _log = new();
    private string _server = "";
    private string _cli = "";

    /// <summary>The six ports, primaries first as created (the roles change with failovers).</summary>
    public IReadOnlyList<int> Ports { get; private set; } = [];

    /// <summary>A StackExchange.Redis configuration string naming every node.</summary>
    public string Configuration => string.Join(",", Ports.Select(p => $"127.0.0.1:{p}"));

    /// <summary>The installed redis-server version (major.minor.patch).</summary>
    public Version ServerVersion { get; private set; } = new();

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        ServerProcessRegistry.ReapOrphans();
        _server = ExternalProcess.Find(Environment.GetEnvironmentVariable("KEFU_REDIS_SERVER") ?? "redis-server", "/usr/bin/redis-server", "/usr/local/bin/redis-server")
            ?? throw new InvalidOperationException($"redis-server was not found. Install it with: {InstallCommand}");
        _cli = ExternalProcess.Find("redis-cli", "/usr/bin/redis-cli", "/usr/local/bin/redis-cli")
            ?? throw new InvalidOperationException($"redis-cli was not found (it creates the test cluster). Install it with: {InstallCommand}");
        var version = await ExternalProcess.RunAsync(_server, ["--version"], ToolTimeout).ConfigureAwait(false);
        var v = version.Split(' ').First(part => part.StartsWith("v=", StringComparison.Ordinal))[2..];
        ServerVersion = Version.Parse(v);
        if (ServerVersion.Major < 7)
        {
            throw new InvalidOperationException($"redis-server {ServerVersion} is too old for the cluster tests (sharded pub/sub needs 7.0). Install a newer one: {InstallCommand}");
        }

        for (var attempt = 1; ; attempt++)
        {
            Ports = Enumerable.Range(0, 6).Select(_ => LoopbackPort.Next()).Distinct().ToList();
            if (Ports.Count != 6)
            {
                continue;
            }

            try
            {
                foreach (var port in Ports)
                {
                    await StartNodeAsync(port).ConfigureAwait(false);
                }

                break;
            }
            catch (TimeoutException) when (attempt < 3)
            {
                // A port taken between choosing and binding it: start over on new ones.
                await DisposeAsync().ConfigureAwait(false);
            }
        }

        await CliAsync(["--cluster", "create", .. Ports.Select(p => $"127.0.0.1:{p}"), "--cluster-replicas", "1", "--cluster-yes"]).ConfigureAwait(false);
        await WaitUntilHealthyAsync().ConfigureAwait(false);
    }

    /// <summary>The ports currently serving as primaries.</summary>
    public async Task<IReadOnlyList<int>> PrimariesAsync()
    {
        var nodes = await NodesAsync().ConfigureAwait(false);
        return nodes.Where(n => n.Primary && !n.Failed && n.HasSlots).Select(n => n.Port).ToList();
    }

    /// <summary>
    /// SIGKILLs the primary on <paramref name="port"/> and waits until its replica has taken over: every surviving node flags
    /// it failed, three other nodes serve every slot, and the cluster state is ok.
    /// </summary>
    /// <remarks>
    /// Right after the kill the others still list the dead node as a healthy primary (they flag it only after the node
    /// timeout), so "three primaries and state ok" alone holds at once. A node restarted then, without persistence, comes
    /// back as the primary of its slots with no data, and its replica resyncs from it: the whole shard, acknowledged ops
    /// included, is gone (docs/deployment.md, Redis Cluster). The failover test lost every op of the shard that way.
    /// </remarks>
    public async Task KillPrimaryAsync(int port)
    {
        var process = _processes[port];
        process.Kill();
        process.WaitForExit(10_000);
        ServerProcessRegistry.Unregister(process);
        process.Dispose();
        _processes.Remove(port);
        var alive = _processes.Keys.ToList();
        var watch = Stopwatch.StartNew();
        while (!await HasFailedOverAsync(port, alive).ConfigureAwait(false))
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"No replica took over from {port} within 60 s.\n{Log}");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    /// <summary>Restarts a killed node on its port; it rejoins as a replica. Waits until every primary has an in-sync replica.</summary>
    public async Task RejoinAsync(int port)
    {
        await StartNodeAsync(port).ConfigureAwait(false);
        await WaitUntilHealthyAsync().ConfigureAwait(false);
    }

    /// <summary>Runs redis-cli against one node and returns its output.</summary>
    public Task<string> CliAsync(int port, params string[] arguments) => CliAsync(["-p", port.ToString(), .. arguments]);

    /// <summary>Output of the processes so far, for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <inheritdoc />
    public Task DisposeAsync()
    {
        foreach (var process in _processes.Values)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill();
                }

                process.WaitForExit(10_000);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            ServerProcessRegistry.Unregister(process);
            process.Dispose();
        }

        _processes.Clear();
        try
        {
            Directory.Delete(_directory, recursive: true);
            Directory.CreateDirectory(_directory);
        }
        catch (IOException)
        {
            // Best effort: it is in the temp directory.
        }

        return Task.CompletedTask;
    }

    private async Task StartNodeAsync(int port)
    {
        var info = new ProcessStartInfo(_server) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
                 {
                     "--port", port.ToString(), "--bind", "127.0.0.1", "--daemonize", "no", "--loglevel", "warning",
                     "--cluster-enabled", "yes", "--cluster-config-file", $"nodes-{port}.conf", "--cluster-node-timeout", NodeTimeoutMs.ToString(),
                     "--dir", _directory, "--save", "", "--appendonly", "no", "--dbfilename", $"dump-{port}.rdb",
                 })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {_server}.");
        ServerProcessRegistry.Register(process);
        process.OutputDataReceived += (_, e) => Append(port, e.Data);
        process.ErrorDataReceived += (_, e) => Append(port, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes[port] = process;

        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(10) && !process.HasExited)
        {
            try
            {
                if ((await CliAsync(port, "ping").ConfigureAwait(false)).Contains("PONG", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (InvalidOperationException)
            {
                // Not listening yet.
            }

            await Task.Delay(30).ConfigureAwait(false);
        }

        throw new TimeoutException($"redis-server (cluster node) did not answer PING on port {port}.\n{Log}");
    }

    private async Task WaitUntilHealthyAsync()
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var running = _processes.Keys.ToList();
            if (await IsStateOkAsync(running).ConfigureAwait(false) && await AllAgreeHealthyAsync(running).ConfigureAwait(false))
            {
                return;
            }

            if (watch.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"The test cluster did not become healthy within 60 s.\n{Log}");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Every running node sees three primaries serving slots, each with a replica, and every replica in sync. One node's view
    /// is not enough: a node that just restarted still believes its old role until gossip corrects it.
    /// </summary>
    private async Task<bool> AllAgreeHealthyAsync(IReadOnlyList<int> running)
    {
        foreach (var port in running)
        {
            var nodes = await NodesAsync(port).ConfigureAwait(false);
            var primaries = nodes.Where(n => n.Primary && !n.Failed && n.HasSlots).ToList();
            var replicas = nodes.Where(n => !n.Primary && !n.Failed).ToList();
            if (primaries.Count != 3 || replicas.Count != running.Count - 3 || !primaries.All(p => replicas.Any(r => r.PrimaryId == p.Id))
                || nodes.Any(n => n.Primary && !n.Failed && !n.HasSlots && running.Contains(n.Port)))
            {
                return false;
            }

            if (port == running[^1] && !await ReplicasInSyncAsync(replicas.Select(r => r.Port)).ConfigureAwait(false))
            {
                return false;
            }
        }

        return true;
    }

    private async Task<bool> HasFailedOverAsync(int deadPort, IReadOnlyList<int> alive)
    {
        if (!await IsStateOkAsync(alive).ConfigureAwait(false))
        {
            return false;
        }

        foreach (var port in alive)
        {
            var nodes = await NodesAsync(port).ConfigureAwait(false);
            var dead = nodes.FirstOrDefault(n => n.Port == deadPort);
            if (dead is null || !dead.Failed || dead.HasSlots
                || nodes.Count(n => n.Primary && !n.Failed && n.HasSlots && n.Port != deadPort) != 3)
            {
                return false;
            }
        }

        return true;
    }

    private async Task<bool> IsStateOkAsync(IEnumerable<int> ports)
    {
        foreach (var port in ports)
        {
            var info = await CliAsync(port, "cluster", "info").ConfigureAwait(false);
            if (!info.Contains("cluster_state:ok", StringComparison.Ordinal) || !info.Contains("cluster_slots_ok:16384", StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private async Task<bool> ReplicasInSyncAsync(IEnumerable<int> replicaPorts)
    {
        foreach (var port in replicaPorts)
        {
            var info = await CliAsync(port, "info", "replication").ConfigureAwait(false);
            if (!info.Contains("master_link_status:up", StringComparison.Ordinal) || info.Contains("master_sync_in_progress:1", StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private Task<IReadOnlyList<ClusterNode>> NodesAsync() => NodesAsync(_processes.Keys.First());

    private async Task<IReadOnlyList<ClusterNode>> NodesAsync(int port)
    {
        // <id> <ip:port@cport> <flags> <primary id or -> <ping> <pong> <epoch> <link> <slots...>
        var output = await CliAsync(port, "cluster", "nodes").ConfigureAwait(false);
        var nodes = new List<ClusterNode>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ');
            if (parts.Length < 8)
            {
                continue;
            }

            var address = parts[1].Split('@')[0];
            var flags = parts[2].Split(',');
            nodes.Add(new ClusterNode(
                parts[0],
                int.Parse(address[(address.LastIndexOf(':') + 1)..]),
                flags.Contains("master"),
                flags.Contains("fail") || flags.Contains("fail?"),
                parts[3],
                parts.Length > 8));
        }

        return nodes;
    }

    private Task<string> CliAsync(string[] arguments) => ExternalProcess.RunAsync(_cli, arguments, ToolTimeout);

    private void Append(int port, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.Append(port).Append(": ").AppendLine(line);
        }
    }

    private sealed record ClusterNode(string Id, int Port, bool Primary, bool Failed, string PrimaryId, bool HasSlots);
}
