using System.Diagnostics;

namespace KefuSync.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster (initdb in a temp directory, trust auth, fsync off) on a free loopback port, for the
/// lifetime of a test collection or class. <see cref="StopAsync"/> and <see cref="StartAsync"/> take it down and bring it back
/// on the same port for fault tests.
/// </summary>
/// <remarks>
/// initdb refuses to run as root, so as root the tools run through <c>runuser -u postgres --</c>. A missing installation fails
/// the tests with the command that installs it; it never skips them. Override the binary directory with <c>KEFU_PG_BIN</c>.
/// </remarks>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    /// <summary>What to run when PostgreSQL is missing.</summary>
    public const string InstallCommand = "apt-get install -y postgresql";

    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(60);
    private string? _root;
    private string? _binDirectory;

    /// <summary>The port the server listens on; stable across stop and start.</summary>
    public int Port { get; private set; }

    /// <summary>Whether the server is running.</summary>
    public bool IsRunning { get; private set; }

    /// <summary>An Npgsql connection string for <paramref name="database"/> (created on demand by EF's EnsureCreated or the test).</summary>
    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Timeout=5;Command Timeout=15";

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _binDirectory = FindBinDirectory()
            ?? throw new InvalidOperationException($"PostgreSQL (initdb, pg_ctl) was not found. Install it with: {InstallCommand}");
        _root = Path.Combine(Path.GetTempPath(), "kefu-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_root);
        if (ExternalProcess.IsRoot)
        {
            await ExternalProcess.RunAsync("chown", ["postgres:postgres", _root], ToolTimeout).ConfigureAwait(false);
        }

        await RunToolAsync("initdb", ["-D", DataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale"]).ConfigureAwait(false);

        for (var attempt = 1; ; attempt++)
        {
            Port = LoopbackPort.Next();
            try
            {
                await StartAsync().ConfigureAwait(false);
                return;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // Most likely the port was taken between choosing and binding it: try another one.
            }
        }
    }

    /// <summary>Starts the server on <see cref="Port"/> and waits until it accepts connections (pg_ctl -w).</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            return;
        }

        await RunToolAsync("pg_ctl",
        [
            "-D", DataDirectory, "-l", Path.Combine(Root, "server.log"), "-w", "-t", "30",
            "-o", $"-c listen_addresses=127.0.0.1 -p {Port} -k {Root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            "start",
        ]).ConfigureAwait(false);
        IsRunning = true;
    }

    /// <summary>Stops the server (fast shutdown: open connections are closed) and waits until it is down.</summary>
    public async Task StopAsync()
    {
        if (!IsRunning)
        {
            return;
        }

        await RunToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "-t", "30", "stop"]).ConfigureAwait(false);
        IsRunning = false;
    }

    /// <summary>The server log, for failure messages.</summary>
    public string GetLog()
    {
        var path = Path.Combine(Root, "server.log");
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : "";
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_root is null)
        {
            return;
        }

        try
        {
            if (IsRunning)
            {
                await RunToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "-t", "30", "stop"]).ConfigureAwait(false);
                IsRunning = false;
            }
        }
        finally
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: it is in the temp directory.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private string Root => _root ?? throw new InvalidOperationException("The PostgreSQL fixture is not initialized.");

    private string DataDirectory => Path.Combine(Root, "data");

    private Task<string> RunToolAsync(string tool, string[] arguments)
    {
        var path = Path.Combine(_binDirectory!, tool);
        return ExternalProcess.IsRoot
            ? ExternalProcess.RunAsync("runuser", ["-u", "postgres", "--", path, .. arguments], ToolTimeout)
            : ExternalProcess.RunAsync(path, arguments, ToolTimeout);
    }

    private static string? FindBinDirectory()
    {
        if (Environment.GetEnvironmentVariable("KEFU_PG_BIN") is { Length: > 0 } configured)
        {
            return File.Exists(Path.Combine(configured, "initdb")) ? configured : null;
        }

        const string root = "/usr/lib/postgresql";
        if (Directory.Exists(root))
        {
            // Prefer 15 (what CI installs), else the newest installed.
            var candidates = Directory.GetDirectories(root)
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
                .OrderByDescending(d => d.Contains("/15/", StringComparison.Ordinal))
                .ThenByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .ToList();
            if (candidates.Count > 0)
            {
                return candidates[0];
            }
        }

        return ExternalProcess.Find("initdb") is { } initdb ? Path.GetDirectoryName(initdb) : null;
    }
}
