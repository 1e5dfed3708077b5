using System.Text;
using System.Text.RegularExpressions;
using KefuSync.Browser.Tests.Infrastructure;
using KefuSync.Tests.Smtp;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests.FollowUp;

/// <summary>
/// The follow-up email's magic link in real Chromium (issue 15, "done when"): a visitor leaves an email on the offline
/// form and goes; an agent replies; a real SMTP server (in-process, on loopback) receives the follow-up; the link, opened
/// in a fresh browser context (no cookies, no storage), shows the same conversation with its history and the visitor
/// answers in it; once expired, the link shows the refusal of docs/security.md ("Email links"). The site's clock is a
/// <see cref="ShiftedTimeProvider"/> the test moves forward, so the unread delay and the link's lifetime pass without waiting.
/// </summary>
public sealed partial class MagicLinkTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    private static readonly TimeSpan UnreadDelay = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan LinkLifetime = TimeSpan.FromHours(48);
    private readonly ShiftedTimeProvider _clock = new();
    private SmtpSink _smtp = null!;

    public override async Task InitializeAsync()
    {
        _smtp = SmtpSink.Start();
        await base.InitializeAsync();
    }

    protected override SiteHostOptions SiteOptions() => new()
    {
        Services = s => s.AddSingleton<TimeProvider>(_clock),
        Configure = o =>
        {
            _smtp.Configure(o.Email);
            o.Email.UnreadDelay = UnreadDelay;
            o.Email.LinkLifetime = LinkLifetime;
            o.Email.PollInterval = TimeSpan.FromMilliseconds(200);
        },
    };

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    [Fact]
    public async Task TheFollowUpLink_OpensTheSameConversation_InAFreshContext_TheVisitorAnswers_AndOnceExpiredItIsRefused()
    {
        // Nobody online: the offline form takes the visitor's email, and the visitor asks and leaves.
        var first = await NewContextAsync();
        var tab = await WidgetPage.OpenAsync(first, SiteHost.PageUrl("home", csp: true));
        await tab.WaitReadyAsync();
        await Expect(tab.Page.GetByTestId("kefu-offline-form")).ToBeVisibleAsync();
        await tab.Page.GetByTestId("kefu-email").FillAsync("ada@example.com");
        await tab.Page.GetByTestId("kefu-email-save").ClickAsync();
        await Expect(tab.Page.GetByTestId("kefu-email-saved")).ToContainTextAsync("ada@example.com");
        await tab.SendAsync("Is the Wuyi oolong in stock?");
        await tab.ExpectNothingPendingAsync();
        var conv = await tab.ConversationAsync();
        var visitorId = (await Site.ReadChannelAsync("conv:" + conv)).First(op => Encoding.UTF8.GetString(op.Payload.Span).Contains("Wuyi", StringComparison.Ordinal)).Author;
        await first.CloseAsync(); // gone: the reply stays unread

        // An agent replies; the unread delay passes on the site's clock; the follow-up reaches the SMTP server.
        await using (var alice = await AgentSession.ConnectAsync(Site))
        {
            await alice.SayAsync(conv, "Yes, 40 tins left.");
        }

        Assert.Empty(_smtp.Messages);
        _clock.Advance(UnreadDelay);
        var mail = Assert.Single(await _smtp.WaitForAsync(1));
        Assert.Equal("ada@example.com", mail.To.Mailboxes.Single().Address);
        Assert.Contains("Yes, 40 tins left.", mail.TextBody, StringComparison.Ordinal);
        var link = new Uri(LinkPattern().Match(mail.TextBody ?? "").Value);
        var path = link.PathAndQuery; // the email's links use Email:LinkBaseUrl; the test site listens on its own port

        // A fresh context (another device): the same conversation, with its history; the visitor answers in it.
        var phone = await NewContextAsync(390, 844, mobile: true);
        var page = await phone.NewPageAsync();
        var response = await page.GotoAsync(path);
        Assert.Equal(200, response!.Status);
        var chat = new WidgetPage(page);
        await chat.LoadedAsync(openChat: false);
        await chat.WaitReadyAsync();
        Assert.Equal(conv, await chat.ConversationAsync());
        await chat.ExpectMessageOnceAsync("Is the Wuyi oolong in stock?");
        await chat.ExpectMessageOnceAsync("Yes, 40 tins left.");

        await using var bob = await AgentSession.ConnectAsync(Site, "bob", "Bob");
        await bob.SubscribeAsync(conv);
        await chat.SendAsync("Great, please keep two for me.");
        Assert.Equal(visitorId, await bob.WaitForMessageAsync(conv, "Great, please keep two for me."));
        await chat.ExpectNothingPendingAsync();
        await chat.ExpectMessageOnceAsync("Great, please keep two for me.");

        // After its lifetime the same link is refused (410, a page that says so) and signs nobody in.
        _clock.Advance(LinkLifetime);
        var late = await NewContextAsync();
        var latePage = await late.NewPageAsync();
        var refused = await latePage.GotoAsync(path);
        Assert.Equal(410, refused!.Status);
        await Expect(latePage.Locator("body")).ToContainTextAsync("This link has expired");
        await Expect(latePage.GetByTestId("kefu-launcher")).ToHaveCountAsync(0);
        await Expect(latePage.GetByTestId("kefu-input")).ToHaveCountAsync(0);
        Assert.DoesNotContain("kefu:token", await late.StorageStateAsync(), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"http://shop\.kefu\.test/kefu/link\?t=[A-Za-z0-9_\-%]+")]
    private static partial Regex LinkPattern();
}
