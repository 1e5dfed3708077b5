using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KefuSync.Tests.Infrastructure;

/// <summary>
/// A real redis-server on a free loopback port, without persistence, for the lifetime of a test collection or class.
/// Fault helpers kill and restart it on the same port, or freeze it (SIGSTOP) and thaw it (SIGCONT).
/// </summary>
/// <remarks>
/// A missing binary fails the tests with the command that installs it; it never skips them. Override the binary with the
/// <c>KEFU_REDIS_SERVER</c> environment variable.
/// </remarks>
public class RedisServerFixture : IAsyncLifetime
{
    /// <summary>What to run when redis-server is missing.</summary>
    public const string InstallCommand = "apt-get install -y redis-server";

    private readonly StringBuilder _log = new();
    private Process? _process;
    private bool _paused;

    /// <summary>The port the server listens on; stable across <see cref="RestartAsync"/>.</summary>
    public int Port { get; private set; }

    /// <summary>A StackExchange.Redis configuration string for this server.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>The server's process id (for tests that signal it themselves).</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("redis-server is not running.");

    /// <summary>Whether the server process is running (possibly paused).</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>redis-server arguments for persistence; none by default (fast, and tests isolate by prefix).</summary>
    protected virtual IEnumerable<string> PersistenceArguments => ["--save", "", "--appendonly", "no"];

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        ServerProcessRegistry.ReapOrphans();
        for (var attempt = 1; ; attempt++)
        {
            Port = LoopbackPort.Next();
            try
            {
                await StartAsync().ConfigureAwait(false);
                return;
            }
            catch (TimeoutException) when (attempt < 3)
            {
                // Most likely the port was taken between choosing and binding it: try another one.
            }
        }
    }

    /// <summary>Starts the server on <see cref="Port"/> (again, after <see cref="KillAsync"/>) and waits until it answers PING.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            return;
        }

        var binary = ExternalProcess.Find(Environment.GetEnvironmentVariable("KEFU_REDIS_SERVER") ?? "redis-server", "/usr/bin/redis-server", "/usr/local/bin/redis-server")
            ?? throw new InvalidOperationException($"redis-server was not found. Install it with: {InstallCommand}");

        var info = new ProcessStartInfo(binary)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "--port", Port.ToString(), "--bind", "127.0.0.1", "--daemonize", "no", "--loglevel", "warning" }.Concat(PersistenceArguments))
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {binary}.");
        ServerProcessRegistry.Register(process);
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        _paused = false;

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (process.HasExited)
            {
                break;
            }

            if (await PingAsync().ConfigureAwait(false))
            {
                return;
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        Stop(process);
        _process = null;
        throw new TimeoutException($"redis-server did not answer PING on port {Port}. Its output:\n{GetLog()}");
    }

    /// <summary>Kills the server (SIGKILL) and waits until the process is gone. Data is lost: the server runs without persistence.</summary>
    public Task KillAsync()
    {
        if (_process is { } process)
        {
            Stop(process);
            _process = null;
        }

        return Task.CompletedTask;
    }

    /// <summary>Kills the server and starts a new one on the same port.</summary>
    public async Task RestartAsync()
    {
        await KillAsync().ConfigureAwait(false);
        await StartAsync().ConfigureAwait(false);
    }

    /// <summary>Freezes the server with SIGSTOP: connections stay open, nothing is answered.</summary>
    public void Pause()
    {
        ExternalProcess.Signal(ProcessId, UnixSignal.SIGSTOP);
        _paused = true;
    }

    /// <summary>Thaws a server frozen by <see cref="Pause"/> (SIGCONT).</summary>
    public void Resume()
    {
        ExternalProcess.Signal(ProcessId, UnixSignal.SIGCONT);
        _paused = false;
    }

    /// <summary>The server's output so far, for failure messages.</summary>
    public string GetLog()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }

    /// <inheritdoc />
    public Task DisposeAsync() => KillAsync();

    private void Stop(Process process)
    {
        try
        {
            if (_paused && !process.HasExited)
            {
                // A stopped process still dies from SIGKILL, but resuming first lets the kernel reap it promptly.
                ExternalProcess.Signal(process.Id, UnixSignal.SIGCONT);
            }

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
        finally
        {
            _paused = false;
            ServerProcessRegistry.Unregister(process);
            process.Dispose();
        }
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            await client.ConnectAsync(IPAddress.Loopback, Port, cts.Token).ConfigureAwait(false);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cts.Token).ConfigureAwait(false);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, cts.Token).ConfigureAwait(false);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
