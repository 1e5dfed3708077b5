using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KefuSync.Browser.Tests.MultiNode;

/// <summary>
/// The user's own multi-node setup, run for real: <c>samples/MultiNode/run.sh</c> starts Redis, three nodes of the sample
/// site and nginx round-robining every request between them, on free loopback ports. The test drives the browser through
/// nginx only, and kills nodes through the script's pid files (the script starts a killed node again).
/// </summary>
internal sealed class ProxiedSample : IAsyncDisposable
{
    private readonly Process _script;
    private readonly StringBuilder _output = new();

    private ProxiedSample(Process script, string runDirectory, int proxyPort)
    {
        _script = script;
        RunDirectory = runDirectory;
        BaseUrl = $"http://127.0.0.1:{proxyPort}";
    }

    public string BaseUrl { get; }

    public string RunDirectory { get; }

    /// <summary>Starts the script in <paramref name="mode"/> (<c>""</c>, <c>"--strip-upgrade"</c> or <c>"--buffer"</c>) and waits until it says ready.</summary>
    public static async Task<ProxiedSample> StartAsync(string mode = "")
    {
        foreach (var tool in new[] { "redis-server", "nginx", "curl" })
        {
            if (!OnPath(tool))
            {
                throw new InvalidOperationException($"{tool} is missing: apt-get install -y redis-server nginx curl");
            }
        }

        var root = RepositoryRoot();
        var run = Path.Combine(Path.GetTempPath(), "kefu-multinode-test-" + Guid.NewGuid().ToString("N")[..10]);
        var proxy = FreePort();
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = root };
        psi.ArgumentList.Add(Path.Combine(root, "samples", "MultiNode", "run.sh"));
        psi.ArgumentList.Add("--no-build");
        if (mode.Length > 0)
        {
            psi.ArgumentList.Add(mode);
        }

        psi.Environment["KEFU_PROXY_PORT"] = proxy.ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.Environment["KEFU_NODE_PORT"] = FreeRun(3).ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.Environment["KEFU_REDIS_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.Environment["KEFU_RUN_DIR"] = run;
        // The sample was built with this test project, in its configuration (the script does not build with --no-build).
        psi.Environment["KEFU_CONFIGURATION"] = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";

        var sample = new ProxiedSample(Process.Start(psi)!, run, proxy);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        sample._script.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (sample._output) sample._output.AppendLine(e.Data);
            if (e.Data.StartsWith("ready:", StringComparison.Ordinal)) ready.TrySetResult();
        };
        sample._script.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) lock (sample._output) sample._output.AppendLine(e.Data);
        };
        sample._script.BeginOutputReadLine();
        sample._script.BeginErrorReadLine();
        var exited = sample._script.WaitForExitAsync();
        var first = await Task.WhenAny(ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(120)));
        if (first != ready.Task)
        {
            var why = first == exited ? $"exited with {sample._script.ExitCode}" : "was not ready after 120 s";
            var output = sample.Output;
            await sample.DisposeAsync();
            throw new InvalidOperationException($"samples/MultiNode/run.sh {why}:\n{output}");
        }

        return sample;
    }

    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>The nodes (host:port) nginx passed requests to so far, from its access log.</summary>
    public IReadOnlySet<string> UpstreamsUsed()
        => File.Exists(Path.Combine(RunDirectory, "nginx-access.log"))
            ? File.ReadAllLines(Path.Combine(RunDirectory, "nginx-access.log")).Select(l => l.Split(' ').Last()).Where(u => u.StartsWith("127.0.0.1:", StringComparison.Ordinal)).ToHashSet()
            : new HashSet<string>();

    /// <summary>Whether nginx passed on a request for <paramref name="path"/> that a node answered (101 or 200).</summary>
    public bool Requested(string path)
        => File.Exists(Path.Combine(RunDirectory, "nginx-access.log"))
           && File.ReadAllLines(Path.Combine(RunDirectory, "nginx-access.log")).Any(l => l.Contains(" " + path, StringComparison.Ordinal) && (l.Contains(" 101 ", StringComparison.Ordinal) || l.Contains(" 200 ", StringComparison.Ordinal)));

    /// <summary>SIGKILLs node <paramref name="node"/> (1-3); the script starts it again after a second.</summary>
    public int KillNode(int node)
    {
        var pid = int.Parse(File.ReadAllText(Path.Combine(RunDirectory, $"node{node}.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Process.GetProcessById(pid).Kill();
        return pid;
    }

    /// <summary>Waits until node <paramref name="node"/> runs again under a new pid.</summary>
    public async Task WaitForRestartAsync(int node, int killedPid)
    {
        var file = Path.Combine(RunDirectory, $"node{node}.pid");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (int.TryParse(File.ReadAllText(file).Trim(), out var pid) && pid != killedPid)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"node {node} was not started again:\n{Output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_script.HasExited)
        {
            _script.Kill(entireProcessTree: true); // the nodes, Redis and nginx are all its descendants
            await _script.WaitForExitAsync();
        }

        _script.Dispose();
        try
        {
            Directory.Delete(RunDirectory, recursive: true);
        }
        catch (IOException)
        {
            // a log still being closed by a dying process: the temp folder is cleaned by the OS
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KefuSync.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("KefuSync.sln not found above " + AppContext.BaseDirectory);
    }

    private static bool OnPath(string tool)
        => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, tool)))
           || File.Exists(Path.Combine("/usr/sbin", tool));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The first of <paramref name="count"/> consecutive free ports.</summary>
    private static int FreeRun(int count)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var first = Random.Shared.Next(20000, 60000);
            var listeners = new List<TcpListener>();
            try
            {
                for (var i = 0; i < count; i++)
                {
                    var l = new TcpListener(IPAddress.Loopback, first + i);
                    l.Start();
                    listeners.Add(l);
                }

                return first;
            }
            catch (SocketException)
            {
                // taken: try another run
            }
            finally
            {
                listeners.ForEach(l => l.Stop());
            }
        }

        throw new InvalidOperationException("No run of free ports found.");
    }
}
