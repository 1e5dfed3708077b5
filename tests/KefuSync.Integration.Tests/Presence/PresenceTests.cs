using System.Text.Json;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Tests.Shared;

namespace KefuSync.Integration.Tests.Presence;

public sealed class PresenceTests
{
    private const string Channel = "draft:presence";

    private static bool Lists(JsonElement frame, string who) =>
        KefuTestClient.Type(frame) == "presence" && frame.GetProperty("list").EnumerateArray().Any(e => e.GetProperty("id").GetString() == who);

    private static bool IsPresenceWithout(JsonElement frame, string who) =>
        KefuTestClient.Type(frame) == "presence" && !frame.GetProperty("list").EnumerateArray().Any(e => e.GetProperty("id").GetString() == who);

    private static async Task<(KefuTestHost Host, ManualTimeProvider Time, KefuTestClient Watcher, KefuTestClient Viewer)> StartAsync()
    {
        var time = new ManualTimeProvider();
        var host = await KefuTestHost.StartAsync(o =>
        {
            o.Presence.Ttl = TimeSpan.FromSeconds(6);
            o.Presence.SweepInterval = TimeSpan.FromSeconds(1);
            o.Limits.IdleTimeoutSeconds = 30;
        }, time: time);
        var watcher = await host.ConnectAsync(agent: "alice");
        await watcher.HelloAsync(agent: true);
        await watcher.SendAsync(new { t = "sub", c = "w", ch = Channel, rev = 0 });
        await watcher.WaitForTypeAsync("subbed");
        var viewer = await host.ConnectAsync(agent: "bob");
        await viewer.HelloAsync(agent: true);
        await viewer.SendAsync(new { t = "presence", c = "b", ch = Channel, s = new { viewing = true } });
        await watcher.WaitForAsync(f => Lists(f, "agent:bob"));
        return (host, time, watcher, viewer);
    }

    [Fact]
    public async Task Viewer_WhoHeartbeats_StaysPresentThroughThreeIdleMinutes()
    {
        var (host, time, watcher, viewer) = await StartAsync();
        await using (host)
        await using (watcher)
        await using (viewer)
        {
            for (var second = 1; second <= 180; second++)
            {
                time.Advance(TimeSpan.FromSeconds(1));
                if (second % 2 == 0)
                {
                    // The client's heartbeat: the same state again, every TTL/3.
                    await viewer.SendAsync(new { t = "presence", c = "b", ch = Channel, s = new { viewing = true } });
                    await viewer.SendAsync(new { t = "ping", q = second.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                    await viewer.WaitForTypeAsync("pong");
                }

                await watcher.SendAsync(new { t = "ping" });
                await watcher.WaitForTypeAsync("pong");
            }

            var seen = watcher.Seen.ToList();
            var joined = seen.FindIndex(f => Lists(f, "agent:bob"));
            Assert.True(joined >= 0);
            Assert.DoesNotContain(seen.Skip(joined), f => IsPresenceWithout(f, "agent:bob"));
        }
    }

    [Fact]
    public async Task Viewer_WhoStopsHeartbeating_IsGoneWithinOneTtl()
    {
        var (host, time, watcher, viewer) = await StartAsync();
        await using (host)
        await using (watcher)
        await using (viewer)
        {
            // The viewer's network died: its socket is still "open" but nothing arrives any more.
            var gone = watcher.WaitForAsync(f => IsPresenceWithout(f, "agent:bob"), TimeSpan.FromSeconds(20));
            for (var second = 1; second <= 7 && !gone.IsCompleted; second++)
            {
                time.Advance(TimeSpan.FromSeconds(1));
                await Task.Delay(50);
            }

            await gone; // TTL 6 s + one 1 s sweep
        }
    }

    [Fact]
    public async Task ClosingTheSocket_RemovesItsPresenceAtOnce()
    {
        var (host, _, watcher, viewer) = await StartAsync();
        await using (host)
        await using (watcher)
        {
            await viewer.DisposeAsync();
            await watcher.WaitForAsync(f => IsPresenceWithout(f, "agent:bob"));
        }
    }

    [Fact]
    public async Task Bye_RemovesOneTabsPresence_AndKeepsTheOtherTabs()
    {
        var (host, _, watcher, viewer) = await StartAsync();
        await using (host)
        await using (watcher)
        await using (viewer)
        {
            await viewer.SendAsync(new { t = "presence", c = "b2", ch = Channel, s = new { viewing = true } });
            await watcher.WaitForAsync(f => KefuTestClient.Type(f) == "presence" && f.GetProperty("list").GetArrayLength() == 2);
            await viewer.SendAsync(new { t = "bye", c = "b" });
            var after = await watcher.WaitForAsync(f => KefuTestClient.Type(f) == "presence" && f.GetProperty("list").GetArrayLength() == 1);
            Assert.Equal("b2", after.GetProperty("list")[0].GetProperty("c").GetString());
        }
    }

    [Fact]
    public async Task Visitors_OnTheSiteChannel_SeeOnlyAgents_NeverOtherVisitors()
    {
        await using var host = await KefuTestHost.StartAsync();
        await using var agent = await host.ConnectAsync(agent: "alice");
        await agent.HelloAsync(agent: true);
        await agent.SendAsync(new { t = "sub", c = "a", ch = "site", rev = 0 });
        await agent.SendAsync(new { t = "presence", c = "a", ch = "site", s = new { status = "online" } });

        await using var one = await host.ConnectAsync();
        await one.HelloAsync();
        await one.SendAsync(new { t = "presence", c = "v", ch = "site", s = new { page = new { url = "/pricing", title = "Pricing" } } });
        await using var two = await host.ConnectAsync();
        var twoId = (await two.HelloAsync()).GetProperty("me").GetProperty("id").GetString()!;
        await two.SendAsync(new { t = "sub", c = "v", ch = "site", rev = 0 });
        await two.SendAsync(new { t = "presence", c = "v", ch = "site", s = new { page = new { url = "/", title = "Home" } } });

        // The agent sees both visitors with their pages.
        var full = await agent.WaitForAsync(f => KefuTestClient.Type(f) == "presence" && f.GetProperty("list").GetArrayLength() == 3);
        Assert.Contains(full.GetProperty("list").EnumerateArray(), e => e.GetProperty("s").TryGetProperty("page", out var p) && p.GetProperty("url").GetString() == "/pricing");

        // A visitor only ever learns which agents are online.
        await two.SendAsync(new { t = "ping", q = "sync" });
        await two.WaitForAsync(f => KefuTestClient.Type(f) == "pong");
        var visitorFrames = two.Seen.Where(f => KefuTestClient.Type(f) == "presence").ToList();
        Assert.NotEmpty(visitorFrames);
        Assert.All(visitorFrames, f => Assert.All(f.GetProperty("list").EnumerateArray(), e => Assert.Equal("agent", e.GetProperty("role").GetString())));
        Assert.DoesNotContain(visitorFrames, f => f.GetRawText().Contains(twoId, StringComparison.Ordinal));
    }
}
