using System.Text.Json;
using System.Text.RegularExpressions;
using KefuSync.FollowUp;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Tests.Shared;
using KefuSync.Tests.Smtp;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace KefuSync.Integration.Tests.FollowUp;

/// <summary>
/// The email follow-up through a real SMTP server on 127.0.0.1, on a clock the test moves: each node's pass is driven
/// by the test (<see cref="FollowUpService.RunOnceAsync"/>; the poll loop waits on the same clock, so it never runs
/// on its own here), so "due" and "not yet due" are exact.
/// </summary>
public sealed partial class FollowUpTests : EmailTestsBase
{
    private static readonly TimeSpan Delay = TimeSpan.FromMinutes(10);

    private Task<KefuTestHost> NodeAsync(Action<IServiceCollection>? services = null, Action<KefuSyncOptions>? configure = null)
        => NodeAsync(
            o =>
            {
                o.Email.UnreadDelay = Delay;
                o.Email.Throttle = TimeSpan.FromMinutes(30);
                configure?.Invoke(o);
            },
            services);

    /// <summary>A fresh agent connection each time: moving the clock past the idle timeout closes the old ones.</summary>
    private static async Task AgentSaysAsync(KefuTestHost host, string ch, string id, string text)
    {
        await using var agent = await host.ConnectAsync(agent: "alice");
        await agent.HelloAsync(agent: true);
        await agent.SendAsync(new { t = "submit", c = "a", ch, id, rev = 0, op = new { k = "msg", text } });
        await agent.WaitForTypeAsync("ack");
    }

    /// <summary>A visitor who left an email and a question, and an agent's reply: returns the conversation channel.</summary>
    private static async Task<(string Channel, KefuTestClient Visitor, string Token)> VisitorAndReplyAsync(KefuTestHost host, string reply, string lang = "en")
    {
        var visitor = await host.ConnectAsync();
        var welcome = await visitor.HelloAsync();
        var ch = "conv:" + welcome.GetProperty("conv").GetString();
        await visitor.SendAsync(new { t = "submit", c = "v", ch, id = "v-1", rev = 0, op = new { k = "msg", text = "Is the Wuyi oolong in stock?" } });
        await visitor.SendAsync(new { t = "submit", c = "v", ch, id = "v-2", rev = 1, op = new { k = "contact", email = "ada@example.com", lang } });
        await visitor.WaitForAsync(f => KefuTestClient.Type(f) == "ack" && f.GetProperty("id").GetString() == "v-2");
        await using var agent = await host.ConnectAsync(agent: "alice");
        await agent.HelloAsync(agent: true);
        await agent.SendAsync(new { t = "submit", c = "a", ch, id = "a-1", rev = 2, op = new { k = "msg", text = reply } });
        await agent.WaitForTypeAsync("ack");
        return (ch, visitor, welcome.GetProperty("token").GetString()!);
    }

    [Fact]
    public async Task AnUnreadReply_IsEmailedAfterTheDelay_Once_InTheVisitorsLanguage_WithTextAndEncodedHtml()
    {
        await using var host = await NodeAsync();
        var (ch, visitor, _) = await VisitorAndReplyAsync(host, "Yes! <b>40 tins</b> & free shipping.\nReply any time.");
        await using var _ = visitor;

        await Pass(host).RunOnceAsync(CancellationToken.None);
        Assert.Empty(Smtp.Messages); // not due yet
        Time.Advance(Delay);
        await Pass(host).RunOnceAsync(CancellationToken.None);
        var mail = Assert.Single(await Smtp.WaitForAsync(1));

        var key = ch["conv:".Length..];
        Assert.Equal($"kefu.v.1.{key}@shop.kefu.test", mail.MessageId);
        Assert.Equal("ada@example.com", mail.To.Mailboxes.Single().Address);
        Assert.Equal("support@shop.kefu.test", mail.From.Mailboxes.Single().Address);
        Assert.Equal("Tea House: alice replied to your message", mail.Subject);
        Assert.Equal("en", mail.Body!.Headers[HeaderId.ContentLanguage]);
        Assert.Equal("auto-generated", mail.Headers["Auto-Submitted"]);
        Assert.Equal("List-Unsubscribe=One-Click", mail.Headers["List-Unsubscribe-Post"]);
        Assert.Contains("Yes! <b>40 tins</b> & free shipping.", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("Yes! &lt;b&gt;40 tins&lt;/b&gt; &amp; free shipping.<br>Reply any time.", mail.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>40", mail.HtmlBody, StringComparison.Ordinal);
        Assert.Matches(LinkPattern(), mail.TextBody);
        Assert.StartsWith("<http://shop.kefu.test/kefu/unsubscribe?t=", mail.Headers["List-Unsubscribe"], StringComparison.Ordinal);

        // Sent is recorded: more passes, on this node, send nothing more.
        Time.Advance(TimeSpan.FromHours(2));
        await Pass(host).RunOnceAsync(CancellationToken.None);
        Assert.Single(Smtp.Messages);
        Assert.Contains((await Store.ReadAsync(EmailState.Channel(key), 0, 10)).Select(o => o.ClientOpId), id => id == "sent:v:1");
    }

    [Fact]
    public async Task ChineseVisitor_GetsAChineseEmail()
    {
        await using var host = await NodeAsync();
        var (_, visitor, _) = await VisitorAndReplyAsync(host, "您好，还有 40 罐。", lang: "zh-CN");
        await using var _ = visitor;
        Time.Advance(Delay);
        await Pass(host).RunOnceAsync(CancellationToken.None);
        var mail = Assert.Single(await Smtp.WaitForAsync(1));
        Assert.Equal("Tea House：alice 回复了您的消息", mail.Subject);
        Assert.Equal("zh-CN", mail.Body!.Headers[HeaderId.ContentLanguage]);
        Assert.Contains("继续对话", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("退订", mail.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AReplyReadInTime_IsNotEmailed()
    {
        await using var host = await NodeAsync();
        var (ch, visitor, _) = await VisitorAndReplyAsync(host, "Yes, 40 tins.");
        await using var _ = visitor;
        await visitor.SendAsync(new { t = "submit", c = "v", ch, id = "v-3", rev = 3, op = new { k = "read", upTo = 3 } });
        await visitor.WaitForAsync(f => KefuTestClient.Type(f) == "ack" && f.GetProperty("id").GetString() == "v-3");
        Time.Advance(Delay);
        await Pass(host).RunOnceAsync(CancellationToken.None);
        Assert.Empty(Smtp.Messages);
    }

    [Fact]
    public async Task LaterReplies_WaitForTheThrottle_AndGoInTheNextEmail_UntilTheVisitorUnsubscribes()
    {
        await using var host = await NodeAsync();
        var (ch, visitor, _) = await VisitorAndReplyAsync(host, "First answer.");
        await using var _ = visitor;
        Time.Advance(Delay);
        await Pass(host).RunOnceAsync(CancellationToken.None);
        await Smtp.WaitForAsync(1);

        await AgentSaysAsync(host, ch, "a-2", "Second answer.");
        Time.Advance(Delay); // the reply's delay is over, the throttle (30 min after the first email) is not
        await Pass(host).RunOnceAsync(CancellationToken.None);
        Assert.Single(Smtp.Messages);
        Time.Advance(TimeSpan.FromMinutes(20));
        await Pass(host).RunOnceAsync(CancellationToken.None);
        var second = (await Smtp.WaitForAsync(2))[1];
        Assert.EndsWith($"kefu.v.2.{ch["conv:".Length..]}@shop.kefu.test", second.MessageId, StringComparison.Ordinal);
        Assert.Contains("Second answer.", second.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("First answer.", second.TextBody, StringComparison.Ordinal);

        // The unsubscribe link: a GET only asks; the POST (the button, or one-click) stops the emails on every node.
        var unsubscribe = new Uri(second.Headers["List-Unsubscribe"]!.Trim('<', '>'));
        using var http = host.CreateHttpClient();
        var local = new Uri(unsubscribe.PathAndQuery, UriKind.Relative);
        using (var confirm = await http.GetAsync(local))
        {
            Assert.Contains("data-testid=\"unsubscribe\"", await confirm.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var done = await http.PostAsync(local, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")])))
        {
            Assert.True(done.IsSuccessStatusCode);
        }

        await AgentSaysAsync(host, ch, "a-3", "Third answer.");
        Time.Advance(TimeSpan.FromHours(1));
        await Pass(host).RunOnceAsync(CancellationToken.None);
        Assert.Equal(2, Smtp.Messages.Count);
    }

    [Fact]
    public async Task TheMagicLink_OpensTheSameConversation_AndAForgedOrExpiredOneNothing()
    {
        await using var host = await NodeAsync(configure: o => o.Email.LinkLifetime = TimeSpan.FromHours(48));
        var (ch, visitor, _) = await VisitorAndReplyAsync(host, "Here is your answer.");
        await using var _ = visitor;
        Time.Advance(Delay);
        await Pass(host).RunOnceAsync(CancellationToken.None);
        var mail = Assert.Single(await Smtp.WaitForAsync(1));
        var link = new Uri(LinkPattern().Match(mail.TextBody ?? "").Value);
        using var http = host.CreateHttpClient();
        using var page = await http.GetAsync(new Uri(link.PathAndQuery, UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());
        var html = await page.Content.ReadAsStringAsync();
        var token = System.Net.WebUtility.HtmlDecode(Regex.Match(html, "data-kefu-token=\"([^\"]+)\"").Groups[1].Value);
        Assert.NotEmpty(token);

        // A new device with that token is the same visitor, in the same conversation.
        await using var device = await host.ConnectAsync();
        var welcome = await device.HelloAsync(token);
        Assert.Equal(ch, "conv:" + welcome.GetProperty("conv").GetString());

        // Tampered, or expired (the fake clock ages it), or an unsubscribe token used as a link: refused.
        var t = Uri.UnescapeDataString(link.Query[3..]);
        using (var forged = await http.GetAsync(new Uri("/kefu/link?t=" + Uri.EscapeDataString(t[..^2] + (t[^2] == 'A' ? "BB" : "AA")), UriKind.Relative)))
        {
            Assert.Equal(System.Net.HttpStatusCode.Gone, forged.StatusCode);
            Assert.DoesNotContain("data-kefu-token", await forged.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var unsubscribeToken = Uri.UnescapeDataString(new Uri(mail.Headers["List-Unsubscribe"]!.Trim('<', '>')).Query[3..]);
        using (var wrongPurpose = await http.GetAsync(new Uri("/kefu/link?t=" + Uri.EscapeDataString(unsubscribeToken), UriKind.Relative)))
        {
            Assert.Equal(System.Net.HttpStatusCode.Gone, wrongPurpose.StatusCode);
        }

        Time.Advance(TimeSpan.FromHours(49));
        using var expired = await http.GetAsync(new Uri(link.PathAndQuery, UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.Gone, expired.StatusCode);
    }

    /// <summary>
    /// The fault test: node A claims the email and is stopped before its SMTP send completes (its sender hangs; stopping
    /// cancels it, which writes nothing, exactly as a crash leaves it: an open claim). The restarted node waits out the
    /// claim's lease, then sends the same email once.
    /// </summary>
    [Fact]
    public async Task ANodeStoppedBetweenTheDeadlineAndTheSend_IsTakenOverAfterTheLease_AndExactlyOneEmailArrives()
    {
        var hanging = new HangingSender();
        var a = await NodeAsync(services: s => s.AddSingleton<IKefuEmailSender>(hanging));
        var (_, visitor, _) = await VisitorAndReplyAsync(a, "Your answer.");
        await visitor.DisposeAsync();
        Time.Advance(Delay);
        using var crash = new CancellationTokenSource();
        var passA = Pass(a).RunOnceAsync(crash.Token);
        await hanging.Called.Task.WaitAsync(TimeSpan.FromSeconds(30)); // claimed, and inside the send
        await crash.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => passA);
        await a.DisposeAsync();

        await using var b = await NodeAsync(); // the restart: the same store, the real SMTP sender
        await Pass(b).RunOnceAsync(CancellationToken.None);
        Assert.Empty(Smtp.Messages); // A's claim still holds
        Time.Advance(TimeSpan.FromMinutes(2)); // the lease (ClaimLease, 2 min) runs out
        await Pass(b).RunOnceAsync(CancellationToken.None);
        await Pass(b).RunOnceAsync(CancellationToken.None);
        var mail = Assert.Single(await Smtp.WaitForAsync(1));
        Assert.Equal(hanging.Seen!.MessageId, mail.MessageId); // the same email A started
    }

    /// <summary>
    /// The window SMTP cannot close: the server accepted the email and the node died before recording it. The restarted
    /// node sends it again, with the same Message-ID, so the copy is recognisable (docs/configuration.md).
    /// </summary>
    [Fact]
    public async Task ANodeThatDiesAfterTheServerAccepted_SendsACopy_WithTheSameMessageId()
    {
        var dying = new SendThenHangSender(Smtp);
        var a = await NodeAsync(services: s => s.AddSingleton<IKefuEmailSender>(dying));
        var (_, visitor, _) = await VisitorAndReplyAsync(a, "Your answer.");
        await visitor.DisposeAsync();
        Time.Advance(Delay);
        using var crash = new CancellationTokenSource();
        var passA = Pass(a).RunOnceAsync(crash.Token);
        await dying.Accepted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await crash.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => passA);
        await a.DisposeAsync();

        await using var b = await NodeAsync();
        Time.Advance(TimeSpan.FromMinutes(2));
        await Pass(b).RunOnceAsync(CancellationToken.None);
        var mails = await Smtp.WaitForAsync(2);
        Assert.Equal(2, mails.Length);
        Assert.Equal(mails[0].MessageId, mails[1].MessageId);
    }

    [Fact]
    public async Task TwoNodesOnOneStore_SendTheEmailOnce()
    {
        await using var a = await NodeAsync();
        await using var b = await NodeAsync();
        var (_, visitor, _) = await VisitorAndReplyAsync(a, "Your answer.");
        await using var _ = visitor;
        Time.Advance(Delay);
        for (var round = 0; round < 3; round++)
        {
            await Task.WhenAll(Pass(a).RunOnceAsync(CancellationToken.None), Pass(b).RunOnceAsync(CancellationToken.None));
        }

        Assert.Single(await Smtp.WaitForAsync(1));
        Time.Advance(TimeSpan.FromMinutes(5)); // past any lease: still nothing more
        await Task.WhenAll(Pass(a).RunOnceAsync(CancellationToken.None), Pass(b).RunOnceAsync(CancellationToken.None));
        Assert.Single(Smtp.Messages);
    }

    [GeneratedRegex(@"http://shop\.kefu\.test/kefu/link\?t=[A-Za-z0-9%_\-]+")]
    private static partial Regex LinkPattern();

    private sealed class HangingSender : IKefuEmailSender
    {
        public TaskCompletionSource Called { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public KefuEmailMessage? Seen { get; private set; }

        public async Task SendAsync(KefuEmailMessage message, CancellationToken cancellationToken)
        {
            Seen = message;
            Called.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }

    private sealed class SendThenHangSender(SmtpSink smtp) : IKefuEmailSender
    {
        public TaskCompletionSource Accepted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task SendAsync(KefuEmailMessage message, CancellationToken cancellationToken)
        {
            var options = new KefuSyncOptions();
            smtp.Configure(options.Email);
            await new Email.SmtpEmailSender(new StaticOptions(options), Microsoft.Extensions.Logging.Abstractions.NullLogger<Email.SmtpEmailSender>.Instance).SendAsync(message, cancellationToken);
            Accepted.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }

    private sealed class StaticOptions(KefuSyncOptions value) : Microsoft.Extensions.Options.IOptionsMonitor<KefuSyncOptions>
    {
        public KefuSyncOptions CurrentValue => value;

        public KefuSyncOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<KefuSyncOptions, string?> listener) => null;
    }
}
