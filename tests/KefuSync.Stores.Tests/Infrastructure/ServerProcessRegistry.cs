using System.Diagnostics;
using System.Globalization;

namespace KefuSync.Tests.Infrastructure;

/// <summary>
/// Remembers the server processes a test host starts (one small file per process in a shared temp folder) so that a later
/// test run can kill what a crashed or killed host left behind. A redis-server outlives a host that dies without running its
/// fixtures' DisposeAsync (it is re-parented to init), keeps its port and memory, and nothing else ever stops it.
/// </summary>
/// <remarks>
/// <para>A record names the owning test host and the server, each by process id and kernel start time (field 22 of
/// <c>/proc/PID/stat</c>), so a recycled pid is never mistaken for either. <see cref="ReapOrphans"/> kills a server only
/// when its owner is gone and the process with that pid is still the one recorded; several test hosts (other worktrees, other
/// projects) run at the same time on one machine, and their live servers are left alone.</para>
/// <para>Chosen over a parent-death signal (<c>prctl(PR_SET_PDEATHSIG)</c> needs a wrapper between .NET and the server, and
/// fires on the death of the starting thread, not the process) and over a watchdog process per server.</para>
/// </remarks>
public static class ServerProcessRegistry
{
    /// <summary>The folder the records live in (shared by every test host of this user on this machine).</summary>
    public static string Folder { get; } = Path.Combine(Path.GetTempPath(), "kefusync-test-servers");

    /// <summary>Records <paramref name="server"/> as started by this test host.</summary>
    public static void Register(Process server) => Register(server, Environment.ProcessId);

    /// <summary>Records <paramref name="server"/> as started by the process <paramref name="ownerProcessId"/> (tests use a dead one).</summary>
    public static void Register(Process server, int ownerProcessId)
    {
        ArgumentNullException.ThrowIfNull(server);
        var ownerStart = StartTime(ownerProcessId) ?? throw new InvalidOperationException($"Process {ownerProcessId} is not running.");
        // A server that already died needs no record; a start time of 0 never matches a live process.
        var serverStart = StartTime(server.Id) ?? 0;
        Directory.CreateDirectory(Folder);
        File.WriteAllText(RecordPath(server.Id), string.Create(CultureInfo.InvariantCulture, $"{ownerProcessId} {ownerStart} {server.Id} {serverStart}"));
    }

    /// <summary>Forgets <paramref name="server"/> after its fixture stopped it.</summary>
    public static void Unregister(Process server)
    {
        ArgumentNullException.ThrowIfNull(server);
        File.Delete(RecordPath(server.Id));
    }

    /// <summary>
    /// Kills (SIGKILL) every recorded server whose owning test host is gone, and removes the records of servers that are gone.
    /// Returns the ids of the processes it killed. Fixtures call it before starting their servers.
    /// </summary>
    public static IReadOnlyList<int> ReapOrphans()
    {
        var killed = new List<int>();
        if (!Directory.Exists(Folder))
        {
            return killed;
        }

        foreach (var path in Directory.EnumerateFiles(Folder, "*.server"))
        {
            string[] fields;
            try
            {
                fields = File.ReadAllText(path).Split(' ');
            }
            catch (IOException)
            {
                // Being written or deleted by another host right now: look again next time.
                continue;
            }

            if (fields.Length != 4 || !int.TryParse(fields[0], out var owner) || !long.TryParse(fields[1], out var ownerStart)
                || !int.TryParse(fields[2], out var server) || !long.TryParse(fields[3], out var serverStart))
            {
                // Half-written by a host that died mid-write: the server it named is unknown, so only the record goes.
                TryDelete(path);
                continue;
            }

            if (StartTime(owner) == ownerStart)
            {
                continue; // its test host is alive and will stop it
            }

            if (StartTime(server) == serverStart)
            {
                try
                {
                    using var process = Process.GetProcessById(server);
                    process.Kill();
                    process.WaitForExit(10_000);
                    killed.Add(server);
                }
                catch (ArgumentException)
                {
                    // Exited between the check and the kill.
                }
            }

            TryDelete(path);
        }

        return killed;
    }

    private static string RecordPath(int serverProcessId) => Path.Combine(Folder, $"{serverProcessId}.server");

    /// <summary>The kernel start time (clock ticks since boot) of a running process, or null when there is none with that id.</summary>
    private static long? StartTime(int processId)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{processId}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid ...": comm may contain spaces and parentheses, so count fields after the last ')'.
        // Field 3 (state) is the first after it; starttime is field 22.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return fields.Length > 19 && long.TryParse(fields[19], out var ticks) ? ticks : null;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Another host removed or is replacing it.
        }
    }
}
