using System.Text.Json;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Tests.Infrastructure;
using KefuSync.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Integration.Tests.Availability;

/// <summary>
/// Business hours edited in the console: the <c>settings:hours</c> channel (docs/protocol.md §4.4). An agent's save
/// replaces the configured schedule for every visitor at once (an <c>avail</c> frame to those connected, the next
/// <c>welcome</c> and <c>GET availability</c> for the others), on every node; a reset goes back to the options.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class HoursSettingsTests(RedisServerFixture redis)
{
    // Friday 2026-03-06 12:00 UTC is 20:00 in Shanghai (configured: closed) and 13:00 in Berlin.
    private static readonly DateTimeOffset FridayNoonUtc = DateTimeOffset.Parse("2026-03-06T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static ManualTimeProvider Clock()
    {
        var time = new ManualTimeProvider();
        time.Advance(FridayNoonUtc - time.GetUtcNow());
        return time;
    }

    private static void Shanghai(KefuSyncOptions o)
    {
        o.BusinessHours.Enabled = true;
        o.BusinessHours.TimeZone = "Asia/Shanghai";
        foreach (var day in new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday })
        {
            o.BusinessHours.Weekly[day] = "09:00-18:00";
        }
    }

    /// <summary>Berlin, open Friday 09:00-17:00 (so open at the clock's instant), Christmas closed, chat kept open outside hours.</summary>
    private static object BerlinOp() => new Dictionary<string, object>
    {
        ["k"] = "hours",
        ["on"] = true,
        ["tz"] = "Europe/Berlin",
        ["weekly"] = new Dictionary<string, string> { ["mon"] = "09:00-17:00", ["fri"] = "09:00-17:00" },
        ["exceptions"] = new[] { new Dictionary<string, string> { ["date"] = "2026-12-25", ["hours"] = "", ["name"] = "Christmas" } },
        ["outside"] = "chat",
    };

    private static Task SaveAsync(KefuTestClient agent, string id, object op, long rev = 0)
        => agent.SendAsync(new Dictionary<string, object> { ["t"] = "submit", ["c"] = "console", ["ch"] = "settings:hours", ["id"] = id, ["rev"] = rev, ["op"] = op });

    private static Task<JsonElement> AnswerAsync(KefuTestClient client, string id)
        => client.WaitForAsync(f => f.TryGetProperty("id", out var i) && i.GetString() == id && KefuTestClient.Type(f) is "ack" or "error");

    [Fact]
    public async Task AgentSavesHours_ConnectedVisitorsAreToldAtOnce_NewVisitorsGetThem_AndResetGoesBackToTheOptions()
    {
        await using var host = await KefuTestHost.StartAsync(Shanghai, time: Clock());
        await using var visitor = await host.ConnectAsync();
        Assert.False((await visitor.HelloAsync()).GetProperty("avail").GetProperty("open").GetBoolean()); // 20:00 in Shanghai
        await using var agent = await host.ConnectAsync(agent: "alice");
        await agent.HelloAsync(agent: true);

        await SaveAsync(agent, "h1", BerlinOp());
        Assert.Equal("ack", KefuTestClient.Type(await AnswerAsync(agent, "h1")));
        var pushed = await visitor.WaitForTypeAsync("avail");
        Assert.True(pushed.GetProperty("avail").GetProperty("open").GetBoolean()); // 13:00 in Berlin
        Assert.Equal("chat", pushed.GetProperty("avail").GetProperty("out").GetString());
        Assert.Equal(DateTimeOffset.Parse("2026-03-06T16:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds(), pushed.GetProperty("avail").GetProperty("next").GetInt64()); // 17:00 CET

        await using (var later = await host.ConnectAsync())
        {
            Assert.True((await later.HelloAsync()).GetProperty("avail").GetProperty("open").GetBoolean());
        }

        // The stored op is the server's rebuild: who saved it, and every day written out.
        await agent.SendAsync(new { t = "sub", c = "console", ch = "settings:hours", rev = 0 });
        var stored = await agent.WaitForAsync(f => KefuTestClient.Type(f) == "op" && f.GetProperty("ch").GetString() == "settings:hours");
        Assert.Equal("alice", stored.GetProperty("op").GetProperty("name").GetString()); // the agent's name, from the host's authentication
        Assert.Equal("", stored.GetProperty("op").GetProperty("weekly").GetProperty("sun").GetString());
        Assert.Equal("Christmas", stored.GetProperty("op").GetProperty("exceptions")[0].GetProperty("name").GetString());

        await SaveAsync(agent, "h2", new { k = "reset" }, 1);
        Assert.Equal("ack", KefuTestClient.Type(await AnswerAsync(agent, "h2")));
        Assert.False((await visitor.WaitForTypeAsync("avail")).GetProperty("avail").GetProperty("open").GetBoolean());
        using var http = host.CreateHttpClient();
        using var body = JsonDocument.Parse(await http.GetStringAsync(new Uri("/kefu/availability", UriKind.Relative)));
        Assert.False(body.RootElement.GetProperty("open").GetBoolean());
        Assert.Equal("form", body.RootElement.GetProperty("out").GetString());
    }

    [Fact]
    public async Task BadEdits_AreRefusedWithTheReason_AndChangeNothing()
    {
        await using var host = await KefuTestHost.StartAsync(Shanghai, time: Clock());
        await using var agent = await host.ConnectAsync(agent: "alice");
        await agent.HelloAsync(agent: true);
        var cases = new (string Id, object Op, string Says)[]
        {
            ("b1", new { k = "hours", on = true, tz = "Mars/Olympus", weekly = new { }, exceptions = Array.Empty<object>(), outside = "form" }, "Mars/Olympus"),
            ("b2", new { k = "hours", on = true, tz = "UTC", weekly = new { mon = "18:00-09:00" }, exceptions = Array.Empty<object>(), outside = "form" }, "18:00-09:00"),
            ("b3", new { k = "hours", on = true, tz = "UTC", weekly = new { funday = "09:00-10:00" }, exceptions = Array.Empty<object>(), outside = "form" }, "sun..sat"),
            ("b4", new { k = "hours", on = true, tz = "UTC", weekly = new { }, exceptions = new[] { new { date = "25/12/2026", hours = "" } }, outside = "form" }, "yyyy-MM-dd"),
            ("b5", new { k = "hours", on = "yes", tz = "UTC", outside = "form" }, "wrong type"),
            ("b6", new { k = "hours", on = true, tz = "UTC", outside = "sometimes" }, "outside"),
            ("b7", new { k = "holidays" }, "reset"),
            ("b8", "not an object", "reset"),
        };
        foreach (var (id, op, says) in cases)
        {
            await SaveAsync(agent, id, op);
            var answer = await AnswerAsync(agent, id);
            Assert.Equal("error", KefuTestClient.Type(answer));
            Assert.Equal("invalid_op", answer.GetProperty("code").GetString());
            Assert.Contains(says, answer.GetProperty("msg").GetString(), StringComparison.Ordinal);
        }

        // A visitor can neither read nor write the settings.
        await using var visitor = await host.ConnectAsync();
        await visitor.HelloAsync();
        await visitor.SendAsync(new Dictionary<string, object> { ["t"] = "submit", ["c"] = "v", ["ch"] = "settings:hours", ["id"] = "v1", ["rev"] = 0, ["op"] = BerlinOp() });
        Assert.Equal("forbidden", (await AnswerAsync(visitor, "v1")).GetProperty("code").GetString());
        await visitor.SendAsync(new { t = "sub", c = "v", ch = "settings:hours", rev = 0 });
        Assert.Equal("forbidden", (await visitor.WaitForTypeAsync("error")).GetProperty("code").GetString());
        // Another setting than hours is not a channel.
        await agent.SendAsync(new { t = "sub", c = "console", ch = "settings:colors", rev = 0 });
        Assert.Equal("invalid_channel", (await agent.WaitForTypeAsync("error")).GetProperty("code").GetString());

        Assert.Equal(0, await host.Store.GetRevisionAsync("settings:hours"));
        Assert.False(visitor.TryTake(out var pushed) && KefuTestClient.Type(pushed) == "avail");
    }

    [Fact]
    public async Task ConsoleEditingOff_RefusesTheEdit()
    {
        await using var host = await KefuTestHost.StartAsync(o =>
        {
            Shanghai(o);
            o.BusinessHours.ConsoleEditing = false;
        }, time: Clock());
        await using var agent = await host.ConnectAsync(agent: "alice");
        await agent.HelloAsync(agent: true);
        await SaveAsync(agent, "h1", BerlinOp());
        var answer = await AnswerAsync(agent, "h1");
        Assert.Equal("forbidden", answer.GetProperty("code").GetString());
        Assert.Contains("ConsoleEditing", answer.GetProperty("msg").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEditOnOneNode_AppliesOnTheOther_AndOnANodeStartedLater()
    {
        var prefix = "hs" + Guid.NewGuid().ToString("N")[..8] + ":";
        void Redis(IKefuSyncBuilder b) => b.AddRedis(r => { r.Configuration = redis.Configuration; r.KeyPrefix = prefix; });
        await using var one = await KefuTestHost.StartAsync(Shanghai, time: Clock(), kefu: Redis);
        await using var two = await KefuTestHost.StartAsync(Shanghai, time: Clock(), kefu: Redis);
        await using var visitor = await two.ConnectAsync();
        Assert.False((await visitor.HelloAsync()).GetProperty("avail").GetProperty("open").GetBoolean());

        await using var agent = await one.ConnectAsync(agent: "alice");
        await agent.HelloAsync(agent: true);
        await SaveAsync(agent, "h1", BerlinOp());
        Assert.Equal("ack", KefuTestClient.Type(await AnswerAsync(agent, "h1")));
        Assert.True((await visitor.WaitForTypeAsync("avail")).GetProperty("avail").GetProperty("open").GetBoolean());

        // A node started later reads the edit once it has started (its first read waits for the host's start).
        await using var three = await KefuTestHost.StartAsync(Shanghai, time: Clock(), kefu: Redis);
        using var http = three.CreateHttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!JsonDocument.Parse(await http.GetStringAsync(new Uri("/kefu/availability", UriKind.Relative))).RootElement.GetProperty("open").GetBoolean())
        {
            Assert.True(DateTime.UtcNow < deadline, "the node started later never applied the edit");
            await Task.Delay(50);
        }
        await using var late = await three.ConnectAsync();
        Assert.True((await late.HelloAsync()).GetProperty("avail").GetProperty("open").GetBoolean());
    }
}
