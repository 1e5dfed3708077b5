using KefuSync.FollowUp;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Integration.Tests.FollowUp;

/// <summary>
/// <see cref="KefuEmailOptions.AgentAddresses"/>: a visitor message left while no agent is online, still unanswered
/// and with still nobody online after <see cref="KefuEmailOptions.AgentDelay"/>, emails the agent addresses, through a
/// real SMTP server on 127.0.0.1 and a clock the test moves (the passes are driven by the test, as in FollowUpTests).
/// </summary>
public sealed class AgentNotificationTests : EmailTestsBase
{
    private static readonly TimeSpan AgentDelay = TimeSpan.FromMinutes(2);

    private Task<KefuTestHost> NodeAsync()
        => NodeAsync(
            o =>
            {
                o.Email.AgentAddresses = ["support@shop.kefu.test", "lead@shop.kefu.test"];
                o.Email.AgentDelay = AgentDelay;
                o.Email.Throttle = TimeSpan.FromMinutes(30);
                // The poll loop waits on the test's clock: a day, so moving it by minutes never runs a pass by itself.
                o.Email.PollInterval = TimeSpan.FromDays(1);
            },
            null);

    private static async Task SubmitOkAsync(KefuTestClient client, string ch, string id, object op)
        => Assert.Equal("ack", KefuTestClient.Type(await SubmitAsync(client, ch, id, op)));

    /// <summary>A visitor who left an email and a message; returns the channel and the visitor's token.</summary>
    private static async Task<(string Channel, string Token)> VisitorAsksAsync(KefuTestHost host, string text)
    {
        await using var visitor = await host.ConnectAsync();
        var welcome = await visitor.HelloAsync();
        var ch = "conv:" + welcome.GetProperty("conv").GetString();
        await SubmitOkAsync(visitor, ch, "v-c", new { k = "contact", email = "ada@example.com" });
        await SubmitOkAsync(visitor, ch, "v-1", new { k = "msg", text });
        return (ch, welcome.GetProperty("token").GetString()!);
    }

    /// <summary>A fresh connection each time: moving the clock past the idle timeout closes the old ones.</summary>
    private static async Task SaysAsync(KefuTestHost host, string ch, string id, string text, string? token = null, string? agent = null)
    {
        await using var client = await host.ConnectAsync(agent: agent);
        await client.HelloAsync(token, agent: agent is not null);
        await SubmitOkAsync(client, ch, id, new { k = "msg", text });
    }

    /// <summary>The conversation's inbox summary (the inbox's reads fold what was committed first) passes <paramref name="check"/>.</summary>
    private static async Task WaitFoldedAsync(KefuTestHost host, string ch, Func<KefuSync.Conversations.ConversationSummary, bool> check)
    {
        var summary = await host.Services.GetRequiredService<KefuSync.Conversations.InboxProjection>().FindAsync(ch["conv:".Length..], CancellationToken.None);
        Assert.NotNull(summary);
        Assert.True(check(summary), System.Text.Json.JsonSerializer.Serialize(summary));
    }

    /// <summary>Sets the agent's <c>site</c> presence, and waits until the server has applied it (a frame's answer comes after it).</summary>
    private static async Task PresenceAsync(KefuTestClient agent, string status)
    {
        var q = "p-" + status;
        await agent.SendAsync(new { t = "presence", c = "a", ch = "site", s = new { status } });
        await agent.SendAsync(new { t = "ping", q });
        await agent.WaitForAsync(f => KefuTestClient.Type(f) == "pong" && f.TryGetProperty("q", out var p) && p.GetString() == q);
    }

    [Fact]
    public async Task NobodyOnline_AfterTheDelay_EveryAddressIsEmailedOnce_WithTheConsoleLink_ThenThrottled()
    {
        await using var host = await NodeAsync();
        var (ch, token) = await VisitorAsksAsync(host, "Is the <b>Wuyi</b> oolong in stock?");
        await WaitFoldedAsync(host, ch, s => s.WaitingSince > 0);

        await Pass(host).RunOnceAsync(CancellationToken.None);
        Assert.Empty(Smtp.Messages); // not due yet
        Time.Advance(AgentDelay);
        await Pass(host).RunOnceAsync(CancellationToken.None);
        var mails = await Smtp.WaitForAsync(2);
        Assert.Equal(["lead@shop.kefu.test", "support@shop.kefu.test"], mails.Select(m => m.To.Mailboxes.Single().Address).Order());
        var key = ch["conv:".Length..];
        foreach (var mail in mails)
        {
            Assert.StartsWith("Tea House: ", mail.Subject, StringComparison.Ordinal);
            Assert.Contains("is waiting for an answer", mail.Subject, StringComparison.Ordinal);
            Assert.Contains("Is the <b>Wuyi</b> oolong in stock?", mail.TextBody, StringComparison.Ordinal);
            Assert.Contains("Is the &lt;b&gt;Wuyi&lt;/b&gt; oolong", mail.HtmlBody, StringComparison.Ordinal);
            Assert.Contains("ada@example.com", mail.TextBody, StringComparison.Ordinal);
            Assert.Contains($"http://shop.kefu.test/kefu/console#c={key}", mail.TextBody, StringComparison.Ordinal);
            Assert.Matches($@"^kefu\.a[0-9a-f]{{12}}\.1\.{System.Text.RegularExpressions.Regex.Escape(key)}@shop\.kefu\.test$", mail.MessageId);
        }

        // Recorded: later passes send nothing more; a second message within the throttle waits, then goes alone.
        await Pass(host).RunOnceAsync(CancellationToken.None);
        Assert.Equal(2, Smtp.Messages.Count);
        await SaysAsync(host, ch, "v-2", "Hello? Anyone there?", token);
        await WaitFoldedAsync(host, ch, s => s.LastText == "Hello? Anyone there?");
        Time.Advance(AgentDelay);
        await Pass(host).RunOnceAsync(CancellationToken.None);
        Assert.Equal(2, Smtp.Messages.Count); // the throttle (30 min after the first) holds it
        Time.Advance(TimeSpan.FromMinutes(30));
        await Pass(host).RunOnceAsync(CancellationToken.None);
        var all = await Smtp.WaitForAsync(4);
        var second = all.Skip(2).ToArray();
        Assert.All(second, m => Assert.Contains("Hello? Anyone there?", m.TextBody, StringComparison.Ordinal));
        Assert.All(second, m => Assert.DoesNotContain("Wuyi", m.TextBody, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnAgentOnline_OrAnAnswer_MeansNoEmail()
    {
        await using var host = await NodeAsync();
        var (ch, token) = await VisitorAsksAsync(host, "Do you ship to Lyon?");
        await WaitFoldedAsync(host, ch, s => s.WaitingSince > 0);

        // An agent is online on `site` when the delay is over: they can answer, nobody is emailed.
        Time.Advance(AgentDelay);
        await using (var agent = await host.ConnectAsync(agent: "alice"))
        {
            await agent.HelloAsync(agent: true);
            await PresenceAsync(agent, "online");
            Assert.True(host.Services.GetRequiredService<KefuSync.Presence.PresenceTracker>().AgentsAvailable());
            await Pass(host).RunOnceAsync(CancellationToken.None);
            Assert.Empty(Smtp.Messages);

            // "Away" is not online: then the addresses are told.
            await PresenceAsync(agent, "away");
            Assert.False(host.Services.GetRequiredService<KefuSync.Presence.PresenceTracker>().AgentsAvailable());
            await Pass(host).RunOnceAsync(CancellationToken.None);
            Assert.Equal(2, (await Smtp.WaitForAsync(2)).Length);

            // Answered: a later visitor message starts a new wait, and an answer in time ends it without an email.
            await SubmitOkAsync(agent, ch, "a-1", new { k = "msg", text = "Yes, in three days." });
        }

        await SaysAsync(host, ch, "v-2", "Great, and to Nice?", token);
        await WaitFoldedAsync(host, ch, s => s.LastText == "Great, and to Nice?" && s.WaitingSince > 0);
        await SaysAsync(host, ch, "b-1", "Nice too.", agent: "bob");
        await WaitFoldedAsync(host, ch, s => s.WaitingSince == 0);
        Time.Advance(TimeSpan.FromHours(1));
        await Pass(host).RunOnceAsync(CancellationToken.None);
        // (the visitor's own follow-up of the unread answers may go to ada@example.com: not the agents' business)
        Assert.Equal(2, Smtp.Messages.Count(m => m.To.Mailboxes.Single().Address.EndsWith("@shop.kefu.test", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task TwoNodesOnOneStore_EmailEachAddressOnce_AndAFreshNodeWaitsAPresenceTtl()
    {
        await using var a = await NodeAsync();
        var (ch, _) = await VisitorAsksAsync(a, "Anyone there?");
        await WaitFoldedAsync(a, ch, s => s.WaitingSince > 0);
        Time.Advance(AgentDelay);

        // A node started just now has not heard every node's presence yet (refreshed every TTL/3): it waits one TTL.
        await using var b = await NodeAsync();
        await Pass(b).RunOnceAsync(CancellationToken.None);
        Assert.Empty(Smtp.Messages);

        Time.Advance(TimeSpan.FromMinutes(1)); // past the presence TTL (30 s by default)
        for (var round = 0; round < 3; round++)
        {
            await Task.WhenAll(Pass(a).RunOnceAsync(CancellationToken.None), Pass(b).RunOnceAsync(CancellationToken.None));
        }

        Assert.Equal(2, (await Smtp.WaitForAsync(2)).Length);
        Time.Advance(TimeSpan.FromMinutes(5)); // past any lease: still once each
        await Task.WhenAll(Pass(a).RunOnceAsync(CancellationToken.None), Pass(b).RunOnceAsync(CancellationToken.None));
        Assert.Equal(2, Smtp.Messages.Count);
        Assert.Equal(2, Smtp.Messages.Select(m => m.To.Mailboxes.Single().Address).Distinct().Count());
    }
}
