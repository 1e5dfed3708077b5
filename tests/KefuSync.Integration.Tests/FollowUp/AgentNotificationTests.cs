using KefuSync.FollowUp;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Stores;
using KefuSync.Tests.Shared;
using KefuSync.Tests.Smtp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace KefuSync.Integration.Tests.FollowUp;

/// <summary>
/// <see cref="KefuEmailOptions.AgentAddresses"/>: a visitor message left while no agent is online, still unanswered
/// and with still nobody online after <see cref="KefuEmailOptions.AgentDelay"/>, emails the agent addresses, through a
/// real SMTP server on 127.0.0.1 and a clock the test moves (the passes are driven by the test, as in FollowUpTests).
/// </summary>
public sealed class AgentNotificationTests : IAsyncLifetime
{
    private static readonly TimeSpan AgentDelay = TimeSpan.FromMinutes(2);
    private readonly ManualTimeProvider _time = new();
    private readonly InMemoryOpStore _store = new();
    private SmtpSink _smtp = null!;

    public Task InitializeAsync()
    {
        _smtp = SmtpSink.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _smtp.DisposeAsync();

    private Task<KefuTestHost> NodeAsync()
        => KefuTestHost.StartAsync(
            o =>
            {
                o.SiteName = "Tea House";
                _smtp.Configure(o.Email);
                o.Email.AgentAddresses = ["support@shop.kefu.test", "lead@shop.kefu.test"];
                o.Email.AgentDelay = AgentDelay;
                o.Email.Throttle = TimeSpan.FromMinutes(30);
                // The poll loop waits on the test's clock: a day, so moving it by minutes never runs a pass by itself.
                o.Email.PollInterval = TimeSpan.FromDays(1);
            },
            time: _time,
            services: s =>
            {
                s.AddSingleton(_store);
                s.AddSingleton<IOpStore>(_store);
                s.AddSingleton<ISnapshotStore>(_store);
            });

    private static FollowUpService Pass(KefuTestHost host) => host.Services.GetServices<IHostedService>().OfType<FollowUpService>().Single();

    private static async Task SubmitAsync(KefuTestClient client, string ch, string id, object op)
    {
        await client.SendAsync(new { t = "submit", c = "x", ch, id, rev = 0, op });
        var reply = await client.WaitForAsync(f => KefuTestClient.Type(f) is "ack" or "error" && f.TryGetProperty("id", out var i) && i.GetString() == id);
        Assert.Equal("ack", KefuTestClient.Type(reply));
    }

    /// <summary>A visitor who left an email and a message; returns the channel and the visitor's token.</summary>
    private static async Task<(string Channel, string Token)> VisitorAsksAsync(KefuTestHost host, string text)
    {
        await using var visitor = await host.ConnectAsync();
        var welcome = await visitor.HelloAsync();
        var ch = "conv:" + welcome.GetProperty("conv").GetString();
        await SubmitAsync(visitor, ch, "v-c", new { k = "contact", email = "ada@example.com" });
        await SubmitAsync(visitor, ch, "v-1", new { k = "msg", text });
        return (ch, welcome.GetProperty("token").GetString()!);
    }

    /// <summary>A fresh connection each time: moving the clock past the idle timeout closes the old ones.</summary>
    private static async Task SaysAsync(KefuTestHost host, string ch, string id, string text, string? token = null, string? agent = null)
    {
        await using var client = await host.ConnectAsync(agent: agent);
        await client.HelloAsync(token, agent: agent is not null);
        await SubmitAsync(client, ch, id, new { k = "msg", text });
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
        Assert.Empty(_smtp.Messages); // not due yet
        _time.Advance(AgentDelay);
        await Pass(host).RunOnceAsync(CancellationToken.None);
        var mails = await _smtp.WaitForAsync(2);
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
        Assert.Equal(2, _smtp.Messages.Count);
        await SaysAsync(host, ch, "v-2", "Hello? Anyone there?", token);
        await WaitFoldedAsync(host, ch, s => s.LastText == "Hello? Anyone there?");
        _time.Advance(AgentDelay);
        await Pass(host).RunOnceAsync(CancellationToken.None);
        Assert.Equal(2, _smtp.Messages.Count); // the throttle (30 min after the first) holds it
        _time.Advance(TimeSpan.FromMinutes(30));
        await Pass(host).RunOnceAsync(CancellationToken.None);
        var all = await _smtp.WaitForAsync(4);
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
        _time.Advance(AgentDelay);
        await using (var agent = await host.ConnectAsync(agent: "alice"))
        {
            await agent.HelloAsync(agent: true);
            await PresenceAsync(agent, "online");
            Assert.True(host.Services.GetRequiredService<KefuSync.Presence.PresenceTracker>().AgentsAvailable());
            await Pass(host).RunOnceAsync(CancellationToken.None);
            Assert.Empty(_smtp.Messages);

            // "Away" is not online: then the addresses are told.
            await PresenceAsync(agent, "away");
            Assert.False(host.Services.GetRequiredService<KefuSync.Presence.PresenceTracker>().AgentsAvailable());
            await Pass(host).RunOnceAsync(CancellationToken.None);
            Assert.Equal(2, (await _smtp.WaitForAsync(2)).Length);

            // Answered: a later visitor message starts a new wait, and an answer in time ends it without an email.
            await SubmitAsync(agent, ch, "a-1", new { k = "msg", text = "Yes, in three days." });
        }

        await SaysAsync(host, ch, "v-2", "Great, and to Nice?", token);
        await WaitFoldedAsync(host, ch, s => s.LastText == "Great, and to Nice?" && s.WaitingSince > 0);
        await SaysAsync(host, ch, "b-1", "Nice too.", agent: "bob");
        await WaitFoldedAsync(host, ch, s => s.WaitingSince == 0);
        _time.Advance(TimeSpan.FromHours(1));
        await Pass(host).RunOnceAsync(CancellationToken.None);
        // (the visitor's own follow-up of the unread answers may go to ada@example.com: not the agents' business)
        Assert.Equal(2, _smtp.Messages.Count(m => m.To.Mailboxes.Single().Address.EndsWith("@shop.kefu.test", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task TwoNodesOnOneStore_EmailEachAddressOnce_AndAFreshNodeWaitsAPresenceTtl()
    {
        await using var a = await NodeAsync();
        var (ch, _) = await VisitorAsksAsync(a, "Anyone there?");
        await WaitFoldedAsync(a, ch, s => s.WaitingSince > 0);
        _time.Advance(AgentDelay);

        // A node started just now has not heard every node's presence yet (refreshed every TTL/3): it waits one TTL.
        await using var b = await NodeAsync();
        await Pass(b).RunOnceAsync(CancellationToken.None);
        Assert.Empty(_smtp.Messages);

        _time.Advance(TimeSpan.FromMinutes(1)); // past the presence TTL (30 s by default)
        for (var round = 0; round < 3; round++)
        {
            await Task.WhenAll(Pass(a).RunOnceAsync(CancellationToken.None), Pass(b).RunOnceAsync(CancellationToken.None));
        }

        Assert.Equal(2, (await _smtp.WaitForAsync(2)).Length);
        _time.Advance(TimeSpan.FromMinutes(5)); // past any lease: still once each
        await Task.WhenAll(Pass(a).RunOnceAsync(CancellationToken.None), Pass(b).RunOnceAsync(CancellationToken.None));
        Assert.Equal(2, _smtp.Messages.Count);
        Assert.Equal(2, _smtp.Messages.Select(m => m.To.Mailboxes.Single().Address).Distinct().Count());
    }
}
