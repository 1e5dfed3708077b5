using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace KefuSync.LoadGenerator.Driver;

/// <summary>
/// A throwaway redis-server on a free loopback port (no persistence) for the Redis scenarios, killed on dispose. A
/// missing binary fails the run with the command that installs it.
/// </summary>
internal sealed class RedisProcess : IDisposable
{
    private readonly Process _process;

    private RedisProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Configuration => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    public int Pid => _process.Id;

    /// <param name="extraArguments">more redis-server arguments, e.g. the cluster ones from <see cref="RedisClusterProcess"/>.</param>
    public static async Task<RedisProcess> StartAsync(params string[] extraArguments)
    {
        var binary = new[] { Environment.GetEnvironmentVariable("KEFU_REDIS_SERVER"), "/usr/bin/redis-server", "/usr/local/bin/redis-server" }
            .FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("redis-server was not found. Install it with: apt-get install -y redis-server");
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var info = new ProcessStartInfo(binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning" }.Concat(extraArguments))
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start redis-server");
        var redis = new RedisProcess(process, port);
        var deadline = Stopwatch.GetTimestamp() + (10 * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port).ConfigureAwait(false);
                var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray()).ConfigureAwait(false);
                var buffer = new byte[16];
                var read = await stream.ReadAsync(buffer).ConfigureAwait(false);
                if (read > 0 && buffer[0] == (byte)'+')
                {
                    return redis;
                }
            }
            catch (SocketException)
            {
                // not listening yet
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        redis.Dispose();
        throw new TimeoutException("redis-server did not answer PING within 10 s");
    }

    /// <summary>User + system CPU seconds used so far (from /proc).</summary>
    public double CpuSeconds() => ServerProcess.CpuSecondsOf(_process.Id);

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }

            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        _process.Dispose();
    }
}
