using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace KefuSync.Tests.Infrastructure;

/// <summary>Runs the command-line tools the server fixtures need (initdb, pg_ctl, chown) and finds binaries.</summary>
public static class ExternalProcess
{
    /// <summary>True when the test process runs as root (tools such as initdb then need <c>runuser</c>).</summary>
    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>
    /// The first of <paramref name="candidates"/> that exists (absolute paths are checked as given, bare names are looked up
    /// in PATH), or null.
    /// </summary>
    public static string? Find(params string[] candidates)
    {
        foreach (var candidate in candidates)
        {
            if (Path.IsPathRooted(candidate))
            {
                if (File.Exists(candidate))
                {
                    return candidate;
                }

                continue;
            }

            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                var path = Path.Combine(dir, candidate);
                if (File.Exists(path))
                {
                    return path;
                }
            }
        }

        return null;
    }

    /// <summary>Runs <paramref name="fileName"/> to completion; throws with its output when it fails or outlives <paramref name="timeout"/>.</summary>
    public static async Task<string> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', info.ArgumentList)} did not finish within {timeout}.\n{output}");
        }

        process.WaitForExit(); // flushes the async output readers
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', info.ArgumentList)} exited with {process.ExitCode}.\n{output}");
        }

        lock (output)
        {
            return output.ToString();
        }
    }

    /// <summary>Sends a POSIX signal (e.g. SIGSTOP, SIGCONT) to a process.</summary>
    public static void Signal(int processId, UnixSignal signal)
    {
        if (Kill(processId, (int)signal) != 0)
        {
            throw new InvalidOperationException($"kill({processId}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int sig);
}

/// <summary>The signals the fixtures send (Linux numbering).</summary>
public enum UnixSignal
{
    /// <summary>Resume a stopped process.</summary>
    SIGCONT = 18,

    /// <summary>Stop (freeze) a process; it cannot be caught.</summary>
    SIGSTOP = 19,
}
