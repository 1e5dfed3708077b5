using System.Diagnostics;
using System.Text;

namespace KefuSync.FreshApp.Tests;

/// <summary>Runs the dotnet CLI as a new user would, without the MSBuild environment `dotnet test` leaks into its children.</summary>
internal static class ProcessRunner
{
    private static readonly string[] LeakedVariables =
    [
        "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly",
        "MSBUILDNOINPROCNODE", "VSTEST_HOST_DEBUG", "DOTNET_ROOT_X64",
    ];

    public static ProcessStartInfo StartInfo(string workingDirectory, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var name in LeakedVariables)
        {
            info.Environment.Remove(name);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        info.Environment["DOTNET_GENERATE_ASPNET_CERTIFICATE"] = "false";
        // No build servers left behind after the tests (node reuse, compiler server, Razor server).
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        info.Environment["UseSharedCompilation"] = "false";
        if (env is not null)
        {
            foreach (var (key, value) in env)
            {
                info.Environment[key] = value;
            }
        }

        return info;
    }

    /// <summary>Runs `dotnet args` to completion; throws with the full output when it fails.</summary>
    public static async Task<string> DotnetAsync(string workingDirectory, TimeSpan timeout, params string[] args)
    {
        using var process = new Process { StartInfo = StartInfo(workingDirectory, args) };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"`dotnet {string.Join(' ', args)}` in {workingDirectory} took over {timeout.TotalSeconds:0} s:\n{output}");
        }

        process.WaitForExit(); // drains the redirected streams
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"`dotnet {string.Join(' ', args)}` in {workingDirectory} failed (exit {process.ExitCode}):\n{output}");
        }

        return output.ToString();
    }
}
