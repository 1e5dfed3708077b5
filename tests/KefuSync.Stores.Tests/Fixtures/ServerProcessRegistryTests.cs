using System.Diagnostics;
using KefuSync.Tests.Infrastructure;

namespace KefuSync.Stores.Tests.Fixtures;

/// <summary>
/// What a crashed test host leaves behind is killed by the next run, and nothing else is: stand-in "servers" (sleep) are
/// recorded for a stand-in owner whose life the test controls.
/// </summary>
public sealed class ServerProcessRegistryTests
{
    [Fact]
    public void AServerOfADeadHost_IsKilled_AServerOfALiveHostIsLeftAlone()
    {
        using var owner = Sleep();
        using var server = Sleep();
        try
        {
            ServerProcessRegistry.Register(server, owner.Id);
            ServerProcessRegistry.ReapOrphans();
            Assert.False(server.HasExited, "the server of a live host was killed");

            owner.Kill();
            owner.WaitForExit(10_000);
            ServerProcessRegistry.ReapOrphans();
            Assert.True(server.WaitForExit(10_000), "the server of a dead host is still running");
            Assert.False(File.Exists(Path.Combine(ServerProcessRegistry.Folder, $"{server.Id}.server")));
        }
        finally
        {
            Stop(owner);
            Stop(server);
        }
    }

    [Fact]
    public void ARecordWhosePidNowBelongsToAnotherProcess_KillsNothing()
    {
        using var owner = Sleep();
        using var unrelated = Sleep();
        try
        {
            ServerProcessRegistry.Register(unrelated, owner.Id);
            owner.Kill();
            owner.WaitForExit(10_000);

            // The same pid with another start time: what a recycled pid looks like.
            var record = Path.Combine(ServerProcessRegistry.Folder, $"{unrelated.Id}.server");
            var fields = File.ReadAllText(record).Split(' ');
            File.WriteAllText(record, $"{fields[0]} {fields[1]} {fields[2]} {long.Parse(fields[3]) + 1}");

            ServerProcessRegistry.ReapOrphans();
            Assert.False(unrelated.HasExited, "a process that merely reuses a recorded pid was killed");
            Assert.False(File.Exists(record));
        }
        finally
        {
            Stop(owner);
            Stop(unrelated);
        }
    }

    private static Process Sleep()
    {
        var info = new ProcessStartInfo(ExternalProcess.Find("sleep", "/usr/bin/sleep", "/bin/sleep") ?? throw new InvalidOperationException("sleep (coreutils) was not found."))
        {
            UseShellExecute = false,
        };
        info.ArgumentList.Add("120");
        return Process.Start(info) ?? throw new InvalidOperationException("Could not start sleep.");
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill();
        }

        process.WaitForExit(10_000);
        File.Delete(Path.Combine(ServerProcessRegistry.Folder, $"{process.Id}.server"));
    }
}
