using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KefuSync.FreshApp.Tests;

/// <summary>One app created by `dotnet new`, built once, started as often as a test needs.</summary>
public sealed class FreshApp(string template, string name, string dir)
{
    public string Template { get; } = template;

    public string Name { get; } = name;

    public string Dir { get; } = dir;

    public string Dll => Path.Combine(Dir, "bin", "Release", "net10.0", Name + ".dll");

    public Task BuildAsync() => ProcessRunner.DotnetAsync(Dir, TimeSpan.FromMinutes(5), "build", "-c", "Release", "-nologo", "-v:q", "-clp:ErrorsOnly", "-nodeReuse:false", "-p:UseSharedCompilation=false", "-p:UseRazorBuildServer=false");

    /// <summary>Starts the built app on a free 127.0.0.1 port and waits until it answers.</summary>
    public async Task<RunningApp> StartAsync(string pathBase = "", bool strictCsp = false)
    {
        var port = FreePort();
        var env = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["FRESH_PATH_BASE"] = pathBase,
            ["FRESH_STRICT_CSP"] = strictCsp ? "1" : "0",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        var process = new Process { StartInfo = ProcessRunner.StartInfo(Dir, [Dll, "--urls", $"http://127.0.0.1:{port}"], env) };
        var app = new RunningApp(this, process, port, pathBase);
        process.OutputDataReceived += (_, e) => app.Log(e.Data);
        process.ErrorDataReceived += (_, e) => app.Log(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await app.WaitUntilUpAsync();
        return app;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public sealed class RunningApp(FreshApp app, Process process, int port, string pathBase) : IAsyncDisposable
{
    private readonly StringBuilder _log = new();

    public FreshApp App { get; } = app;

    public int Port { get; } = port;

    public string PathBase { get; } = pathBase;

    public string Origin => $"http://127.0.0.1:{Port}";

    /// <summary>The site's home page (under the path base).</summary>
    public string Home => $"{Origin}{PathBase}/";

    public string Output
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    internal void Log(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    internal async Task WaitUntilUpAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{App.Name} exited with {process.ExitCode} at startup:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync(Home);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException)
            {
                // still starting
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{App.Name} did not answer {Home} within 60 s:\n{Output}");
            }

            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }
}
