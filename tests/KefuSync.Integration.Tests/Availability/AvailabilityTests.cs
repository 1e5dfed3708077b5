using System.Text.Json;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Security;
using KefuSync.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Integration.Tests.Availability;

/// <summary>Business hours and the offline form on the wire: <c>welcome.avail</c>, <c>GET /kefu/availability</c> and the <c>contact</c> op (docs/protocol.md §2.4, §4.2).</summary>
public sealed class AvailabilityTests
{
    private static readonly DateTimeOffset FridayEveningShanghai = DateTimeOffset.Parse("2026-03-06T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture); // 20:00 +08:00
    private static readonly long MondayNineShanghai = DateTimeOffset.Parse("2026-03-09T01:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();

    private static ManualTimeProvider Clock(DateTimeOffset at)
    {
        var time = new ManualTimeProvider();
        time.Advance(at - time.GetUtcNow());
        return time;
    }

    private static void Shanghai(KefuSyncOptions o, KefuOutsideHours outside, KefuOfflineEmail ask)
    {
        o.BusinessHours.Enabled = true;
        o.BusinessHours.TimeZone = "Asia/Shanghai";
        foreach (var day in new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday })
        {
            o.BusinessHours.Weekly[day] = "09:00-18:00";
        }

        o.BusinessHours.OutsideHours = outside;
        o.Widget.OfflineEmail = ask;
    }

    [Fact]
    public async Task VisitorWelcome_OutsideHours_SaysWhenAgentsAreBack_AndTheOwnersChoices()
    {
        await using var host = await KefuTestHost.StartAsync(o => Shanghai(o, KefuOutsideHours.HideLauncher, KefuOfflineEmail.Required), time: Clock(FridayEveningShanghai));
        await using var visitor = await host.ConnectAsync();
        var avail = (await visitor.HelloAsync()).GetProperty("avail");
        Assert.False(avail.GetProperty("open").GetBoolean());
        Assert.Equal(MondayNineShanghai, avail.GetProperty("back").GetInt64());
        Assert.Equal(MondayNineShanghai, avail.GetProperty("next").GetInt64());
        Assert.Equal("hide", avail.GetProperty("out").GetString());
        Assert.Equal("required", avail.GetProperty("ask").GetString());

        // The same object over HTTP, for a widget whose `next` instant passed.
        using var http = host.CreateHttpClient();
        using var response = await http.GetAsync(new Uri("/kefu/availability", UriKind.Relative));
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(avail.GetRawText(), body.RootElement.GetRawText());

        // Agents get no availability: the console is theirs in and out of hours.
        await using var agent = await host.ConnectAsync(agent: "alice");
        Assert.False((await agent.HelloAsync(agent: true)).TryGetProperty("avail", out _));
    }

    [Fact]
    public async Task VisitorWelcome_InHours_IsOpen_AndTellsWhenItCloses()
    {
        var mondayTen = DateTimeOffset.Parse("2026-03-09T02:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        await using var host = await KefuTestHost.StartAsync(o => Shanghai(o, KefuOutsideHours.OfflineForm, KefuOfflineEmail.Optional), time: Clock(mondayTen));
        await using var visitor = await host.ConnectAsync();
        var avail = (await visitor.HelloAsync()).GetProperty("avail");
        Assert.True(avail.GetProperty("open").GetBoolean());
        Assert.False(avail.TryGetProperty("back", out _));
        Assert.Equal(DateTimeOffset.Parse("2026-03-09T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds(), avail.GetProperty("next").GetInt64()); // 18:00 +08:00
        Assert.Equal("form", avail.GetProperty("out").GetString());
        Assert.Equal("optional", avail.GetProperty("ask").GetString());
    }

    [Fact]
    public async Task VisitorSignedInWithAnEmail_IsNotAsked_AndAgentsSeeTheSignedEmail()
    {
        await using var host = await KefuTestHost.StartAsync(o => Shanghai(o, KefuOutsideHours.OfflineForm, KefuOfflineEmail.Required), time: Clock(FridayEveningShanghai));
        var (token, _) = host.Services.GetRequiredService<VisitorTokenService>().IssueForHost("carol", "Carol", new Dictionary<string, string> { ["email"] = "carol@example.com" });
        await using var visitor = await host.ConnectAsync();
        var welcome = await visitor.HelloAsync(token);
        Assert.Equal("off", welcome.GetProperty("avail").GetProperty("ask").GetString());

        var ch = "conv:" + welcome.GetProperty("conv").GetString();
        await visitor.SendAsync(new { t = "submit", c = "v", ch, id = "v-1", rev = 0, op = new { k = "msg", text = "Hello" } });
        await visitor.WaitForTypeAsync("ack");
        Assert.Equal("carol@example.com", (await SummaryAsync(host)).GetProperty("email").GetString());
    }

    [Fact]
    public async Task ContactOp_StoresTheEmailOnTheProfile_ForTheInbox()
    {
        await using var host = await KefuTestHost.StartAsync();
        await using var visitor = await host.ConnectAsync();
        var ch = "conv:" + (await visitor.HelloAsync()).GetProperty("conv").GetString();
        await visitor.SendAsync(new { t = "submit", c = "v", ch, id = "v-1", rev = 0, op = new { k = "msg", text = "Anyone there?" } });
        await visitor.SendAsync(new { t = "submit", c = "v", ch, id = "v-2", rev = 1, op = new { k = "contact", email = "ada@example.com", name = "forged", role = "agent" } });
        var ack = await visitor.WaitForAsync(f => KefuTestClient.Type(f) == "ack" && f.GetProperty("id").GetString() == "v-2");
        var stored = (await host.Store.ReadAsync(ch, ack.GetProperty("rev").GetInt64() - 1, 1))[0];
        using var payload = JsonDocument.Parse(stored.Payload);
        Assert.Equal("ada@example.com", payload.RootElement.GetProperty("email").GetString());
        Assert.Equal("visitor", payload.RootElement.GetProperty("role").GetString()); // built by the server, never copied

        var summary = await SummaryAsync(host);
        Assert.Equal("ada@example.com", summary.GetProperty("email").GetString());
        Assert.Equal("Anyone there?", summary.GetProperty("lastText").GetString()); // leaving an email is not a message
    }

    [Theory]
    [InlineData("\"ada@example.com\\r\\nBcc: eve@example.com\"")]
    [InlineData("\"Eve <eve@example.com>\"")]
    [InlineData("\"ada@example.com,eve@example.com\"")]
    [InlineData("\"ada@example\"")]
    [InlineData("\"ada@@example.com\"")]
    [InlineData("\" ada@example.com\"")]
    [InlineData("\"ada\\ud83d@example.com\"")]
    [InlineData("42")]
    [InlineData("null")]
    public async Task ContactOp_RefusesAnythingButOnePlainAddress(string email)
    {
        await using var host = await KefuTestHost.StartAsync();
        await using var visitor = await host.ConnectAsync();
        var ch = "conv:" + (await visitor.HelloAsync()).GetProperty("conv").GetString();
        await visitor.SendAsync("{\"t\":\"submit\",\"c\":\"v\",\"ch\":\"" + ch + "\",\"id\":\"v-1\",\"rev\":0,\"op\":{\"k\":\"contact\",\"email\":" + email + "}}");
        var error = await visitor.WaitForTypeAsync("error");
        Assert.Equal("invalid_op", error.GetProperty("code").GetString());
        Assert.Equal(0, await host.Store.GetRevisionAsync(ch));
    }

    [Fact]
    public async Task ContactOp_RefusesAnAddressLongerThan254()
    {
        await using var host = await KefuTestHost.StartAsync();
        await using var visitor = await host.ConnectAsync();
        var ch = "conv:" + (await visitor.HelloAsync()).GetProperty("conv").GetString();
        await visitor.SendAsync(new { t = "submit", c = "v", ch, id = "v-1", rev = 0, op = new { k = "contact", email = "a@" + new string('b', 250) + ".com" } });
        Assert.Equal("invalid_op", (await visitor.WaitForTypeAsync("error")).GetProperty("code").GetString());
    }

    private static async Task<JsonElement> SummaryAsync(KefuTestHost host)
    {
        await using var agent = await host.ConnectAsync(agent: "alice");
        await agent.HelloAsync(agent: true);
        await agent.SendAsync(new { t = "list", q = "l" });
        var list = await agent.WaitForTypeAsync("list");
        return Assert.Single(list.GetProperty("items").EnumerateArray()).Clone();
    }
}
