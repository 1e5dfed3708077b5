using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace KefuSync.LoadGenerator.Driver;

/// <summary>
/// One server process (<c>dotnet &lt;this dll&gt; server KIND</c>) on 127.0.0.1 and a free port. CPU time comes from
/// /proc/PID/stat (utime + stime), RSS from /proc/PID/status. Disposing kills it (by its pid) and waits for it.
/// </summary>
internal sealed class ServerProcess : IDisposable
{
    private static readonly double TicksPerSecond = ReadClockTicks();
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private readonly Process _process;

    private ServerProcess(Process process, string kind, Uri address)
    {
        _process = process;
        Kind = kind;
        Address = address;
    }

    /// <summary>Every <c>fail:</c>/<c>crit:</c> line a server process wrote (the KefuSync server logs errors to stderr).</summary>
    public static ConcurrentQueue<string> LoggedFailures { get; } = new();

    public string Kind { get; }

    public Uri Address { get; }

    public int Pid => _process.Id;

    public static async Task<ServerProcess> StartAsync(string kind, string gc, params string[] options)
    {
        var dll = typeof(ServerProcess).Assembly.Location;
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("server");
        psi.ArgumentList.Add(kind);
        foreach (var option in options)
        {
            psi.ArgumentList.Add(option);
        }
        psi.Environment["DOTNET_gcServer"] = gc == "server" ? "1" : "0";
        psi.Environment["DOTNET_gcConcurrent"] = "1";
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the server process");
        process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrEmpty(e.Data))
            {
                System.Console.Error.WriteLine($"[{kind} server] {e.Data}");
                if (e.Data.StartsWith("fail:", StringComparison.Ordinal) || e.Data.StartsWith("crit:", StringComparison.Ordinal))
                {
                    LoggedFailures.Enqueue($"{kind} server logged {e.Data}");
                }
            }
        };
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            while (true)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"the {kind} server exited before listening");
                if (line.StartsWith("LISTENING ", StringComparison.Ordinal))
                {
                    var server = new ServerProcess(process, kind, new Uri(line["LISTENING ".Length..].Trim()));
                    _ = DrainAsync(process);
                    return server;
                }
            }
        }
        catch
        {
            Kill(process);
            throw;
        }
    }

    /// <summary>User + system CPU seconds used so far.</summary>
    public double CpuSeconds() => CpuSecondsOf(Pid);

    /// <summary>User + system CPU seconds a process used so far.</summary>
    public static double CpuSecondsOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
        var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
        var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
        return (utime + stime) / TicksPerSecond;
    }

    /// <summary>Resident set size, in KiB.</summary>
    public long RssKiB()
    {
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    /// <summary>The peak resident set size since the process started (VmHWM), in KiB.</summary>
    public long PeakRssKiB()
    {
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    /// <summary>Asks the server for a full compacting collection, then returns its RSS (KiB).</summary>
    public async Task<long> FullGcRssAsync()
    {
        await Http.GetStringAsync(new Uri(Address, "/__bench/gc")).ConfigureAwait(false);
        await Task.Delay(300).ConfigureAwait(false);
        await Http.GetStringAsync(new Uri(Address, "/__bench/gc")).ConfigureAwait(false);
        await Task.Delay(300).ConfigureAwait(false);
        return RssKiB();
    }

    /// <summary>The server's runtime counters so far (GC and JIT; see <see cref="RuntimeCounters"/>).</summary>
    public async Task<RuntimeCounters> CountersAsync()
    {
        // One client for every poll: the warm-up polls once a second, and a client per call is a new TCP connection each time.
        var text = await Http.GetStringAsync(new Uri(Address, "/__bench/gcstats")).ConfigureAwait(false);
        return RuntimeCounters.Parse(text);
    }

    /// <summary>The server's allocation profile since the last call (see <c>Servers/AllocationSampler.cs</c>).</summary>
    public Task<string> AllocationsAsync() => Http.GetStringAsync(new Uri(Address, "/__bench/allocs"));

    public bool HasExited => _process.HasExited;

    public void Dispose()
    {
        Kill(_process);
        _process.Dispose();
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    private static async Task DrainAsync(Process process)
    {
        try
        {
            while (await process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is not null)
            {
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
            // process gone
        }
    }

    private static double ReadClockTicks()
    {
        // USER_HZ is 100 on every Linux kernel configuration in use; getconf is not needed.
        return 100.0;
    }
}
