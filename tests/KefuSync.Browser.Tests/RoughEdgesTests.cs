using KefuSync.Browser.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests;

/// <summary>
/// The widget's rough edges (issue 15 item 7): links in messages, the chat open across pages, the "new messages" cue,
/// touch sizes on a phone, muting the sounds, and a proactive message's card on a phone.
/// </summary>
public sealed class RoughEdgesTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task LinksInMessages_AreClickable_AndOtherSchemesStayText()
    {
        var context = await NewContextAsync();
        await context.AddInitScriptAsync("window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective));");
        var tab = await WidgetPage.OpenAsync(context, SiteHost.PageUrl("home", csp: true));
        await tab.WaitReadyAsync();
        var conv = await tab.ConversationAsync();
        await using var agent = await AgentSession.ConnectAsync(Site, "alice", "Alice");
        const string text = "Tracking: https://track.example/p?id=7&x=(1). Shop www.tea.example! Not these: javascript:alert(document.domain) data:text/html,<script>alert(1)</script>";
        await agent.SayAsync(conv, text);
        await tab.ExpectMessageOnceAsync(text);
        var bubble = tab.Messages.Last;
        var links = bubble.Locator("a");
        await Expect(links).ToHaveCountAsync(2);
        await Expect(links.Nth(0)).ToHaveAttributeAsync("href", "https://track.example/p?id=7&x=(1)");
        await Expect(links.Nth(0)).ToHaveTextAsync("https://track.example/p?id=7&x=(1)");
        await Expect(links.Nth(1)).ToHaveAttributeAsync("href", "https://www.tea.example/");
        await Expect(links.Nth(1)).ToHaveTextAsync("www.tea.example");
        foreach (var link in await links.AllAsync())
        {
            await Expect(link).ToHaveAttributeAsync("target", "_blank");
            await Expect(link).ToHaveAttributeAsync("rel", "noopener noreferrer nofollow ugc");
        }

        // the text is all there, as text: no script ran, no element came from it but the two links
        await Expect(bubble).ToHaveTextAsync(text);
        Assert.Equal(0, await bubble.Locator("script").CountAsync());
        Assert.False(await tab.Page.EvaluateAsync<bool>("() => window.__csp.length > 0 || 'pwned' in window"), "a CSP violation or script ran");

        // the visitor's own message gets links too
        await tab.SendAsync("my order: https://shop.example/o/42");
        await tab.ExpectMessageOnceAsync("my order: https://shop.example/o/42"); // drawn first: Last was the agent's (2 links) until then
        await Expect(tab.Messages.Last.Locator("a")).ToHaveAttributeAsync("href", "https://shop.example/o/42");
    }

    [Fact]
    public async Task TheOpenChat_StaysOpenOnTheNextPage_AndClosedStaysClosed()
    {
        var tab = await WidgetPage.OpenAsync(await NewContextAsync());
        await Expect(tab.Page.GetByTestId("kefu-window")).ToBeVisibleAsync();

        // opened: the next page of the site, and a refresh, open it again
        await tab.GotoAsync(SiteHost.PageUrl("shop"), openChat: false);
        await Expect(tab.Page.GetByTestId("kefu-window")).ToBeVisibleAsync();
        await Expect(tab.Launcher).ToHaveAttributeAsync("aria-expanded", "true");
        await tab.ReloadAsync(openChat: false);
        await Expect(tab.Page.GetByTestId("kefu-window")).ToBeVisibleAsync();

        // closed explicitly: it stays closed on the next page
        await tab.Page.GetByTestId("kefu-close").ClickAsync();
        await Expect(tab.Page.GetByTestId("kefu-window")).ToBeHiddenAsync();
        await tab.GotoAsync(SiteHost.PageUrl("about"), openChat: false);
        await Expect(tab.Launcher).ToBeVisibleAsync();
        await Expect(tab.Page.GetByTestId("kefu-window")).ToBeHiddenAsync();
        Assert.False(await tab.Page.EvaluateAsync<bool>("() => window.KefuSync.isOpen"));
    }

    [Fact]
    public async Task NewMessagesCue_ShowsWhenScrolledUp_AndGoesAwayAtTheBottom()
    {
        var tab = await WidgetPage.OpenAsync(await NewContextAsync());
        await tab.WaitReadyAsync();
        var conv = await tab.ConversationAsync();
        await using var agent = await AgentSession.ConnectAsync(Site, "alice", "Alice");
        await FillAsync(tab, agent, conv);
        var cue = tab.Page.Locator(".cue");
        var list = tab.Page.GetByTestId("kefu-messages");

        // at the bottom, a new message needs no cue
        await agent.SayAsync(conv, "at the bottom");
        await tab.ExpectMessageOnceAsync("at the bottom");
        await Expect(cue).ToBeHiddenAsync();

        // scrolled up: the cue shows; clicking it scrolls down, and it goes away
        await list.EvaluateAsync("l => l.scrollTop = 0");
        await agent.SayAsync(conv, "while scrolled up");
        await tab.ExpectMessageOnceAsync("while scrolled up");
        await Expect(cue).ToBeVisibleAsync();
        await Expect(cue).ToHaveTextAsync("New messages ↓");
        await cue.ClickAsync();
        await Expect(cue).ToBeHiddenAsync();
        await Expect(tab.Messages.Last).ToBeInViewportAsync();

        // scrolled down by hand: it goes away too
        await list.EvaluateAsync("l => l.scrollTop = 0");
        await agent.SayAsync(conv, "again");
        await tab.ExpectMessageOnceAsync("again");
        await Expect(cue).ToBeVisibleAsync();
        await list.EvaluateAsync("l => l.scrollTop = l.scrollHeight");
        await Expect(cue).ToBeHiddenAsync();
    }

    [Fact]
    public async Task OnAPhone_TheComposerIs16Px_AndTheHeaderButtonsAreFingerSized()
    {
        var tab = await WidgetPage.OpenAsync(await NewContextAsync(390, 844, mobile: true));
        // 16 px: iOS zooms the page into a smaller text field when it gets the focus
        Assert.Equal("16px", await tab.Input.EvaluateAsync<string>("ta => getComputedStyle(ta).fontSize"));
        foreach (var id in new[] { "kefu-close", "kefu-mute" })
        {
            var box = await tab.Page.GetByTestId(id).BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box!.Width >= 44 && box.Height >= 44, $"{id} is {box.Width}x{box.Height}");
        }

        await tab.Page.GetByTestId("kefu-mute").ClickAsync();
        await Expect(tab.Page.GetByTestId("kefu-mute")).ToHaveAttributeAsync("aria-pressed", "true");
        await tab.Page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots.Directory(), "widget-phone-en-muted.png") });
    }

    [Fact]
    public async Task MuteSounds_IsRememberedForEveryTab_AndNoBeepLoadsWhileMuted()
    {
        var context = await NewContextAsync();
        var tab = await WidgetPage.OpenAsync(context);
        await tab.WaitReadyAsync();
        var conv = await tab.ConversationAsync();
        var sounds = 0;
        context.Request += (_, r) =>
        {
            if (r.Url.Contains("kefu-sound.js", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref sounds);
            }
        };
        var mute = tab.Page.GetByTestId("kefu-mute");
        await Expect(mute).ToHaveAttributeAsync("aria-pressed", "false");
        await Expect(mute).ToHaveAccessibleNameAsync("Mute sounds");
        await mute.ClickAsync(); // a gesture: audio is unlocked from here on
        await Expect(mute).ToHaveAttributeAsync("aria-pressed", "true");
        await tab.Page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots.Directory(), "widget-desktop-en-muted.png") });

        // another tab of the site says so too
        var other = await WidgetPage.OpenAsync(context, openChat: false);
        await Expect(other.Page.GetByTestId("kefu-mute")).ToHaveAttributeAsync("aria-pressed", "true");
        await other.Page.CloseAsync();

        // the chat closed (nobody looks at it): a message beeps, unless muted
        await tab.Page.GetByTestId("kefu-close").ClickAsync();
        await using var agent = await AgentSession.ConnectAsync(Site, "alice", "Alice");
        await agent.SayAsync(conv, "while muted");
        await Expect(tab.Page.GetByTestId("kefu-unread")).ToHaveTextAsync("1");
        Assert.Equal(0, Volatile.Read(ref sounds));

        await tab.OpenChatAsync();
        await mute.ClickAsync();
        await Expect(mute).ToHaveAttributeAsync("aria-pressed", "false");
        await tab.Page.GetByTestId("kefu-close").ClickAsync();
        await agent.SayAsync(conv, "with sound");
        await Expect(tab.Page.GetByTestId("kefu-unread")).ToHaveTextAsync("1");
        await Eventually.TrueAsync(() => Volatile.Read(ref sounds) > 0, "the beep (kefu-sound.js) was not loaded for a message with sound on");
    }

    [Theory]
    [InlineData("en")]
    [InlineData("zh-CN")]
    public async Task OnAPhone_AProactiveMessagePeeks_AboveTheLauncher_InsteadOfCoveringThePage(string lang)
    {
        var zh = lang == "zh-CN";
        var context = await NewContextAsync(390, 844, mobile: true, zh ? "zh-CN" : "en-US");
        var tab = await WidgetPage.OpenAsync(context, SiteHost.PageUrl(zh ? "首页" : "home", lang: lang), openChat: false);
        var conv = await tab.ConversationAsync();
        await tab.Page.WaitForFunctionAsync("() => window.KefuSync.client.state === 'open'");
        await using var agent = await AgentSession.ConnectAsync(Site, "alice", zh ? "客服小李" : "Alice");
        var hello = zh ? "您好！这款岩茶今天有现货，需要我帮您推荐吗？" : "Hi! The Wuyi oolong you are looking at is in stock today. Can I help you choose a size?";
        await agent.SayAsync(conv, hello);

        var peek = tab.Page.GetByTestId("kefu-peek");
        await Expect(peek).ToBeVisibleAsync();
        await Expect(tab.Page.GetByTestId("kefu-peek-text")).ToHaveTextAsync(hello);
        await Expect(tab.Page.GetByTestId("kefu-window")).ToBeHiddenAsync();
        var card = await peek.BoundingBoxAsync();
        var launcher = await tab.Launcher.BoundingBoxAsync();
        Assert.True(card!.X >= 0 && card.X + card.Width <= 390 && card.Y >= 0, $"card {card.X},{card.Y} {card.Width}x{card.Height}");
        Assert.True(card.Y + card.Height <= launcher!.Y, "the card covers the launcher");
        await tab.Page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots.Directory(), $"widget-phone-{lang}-peek.png") });

        // tapping it opens the chat, with the message; the card is gone
        await tab.Page.GetByTestId("kefu-peek-open").ClickAsync();
        await Expect(tab.Page.GetByTestId("kefu-window")).ToBeVisibleAsync();
        await tab.ExpectMessageOnceAsync(hello);
        await Expect(peek).ToHaveCountAsync(0);

        // closed again, the next message peeks again; × dismisses it, and then nothing peeks or opens this session
        await tab.Page.GetByTestId("kefu-close").ClickAsync();
        await tab.Page.EvaluateAsync("() => sessionStorage.removeItem('kefu:dismissed:/kefu')"); // as on a new visit
        await agent.SayAsync(conv, "Still there?");
        await Expect(tab.Page.GetByTestId("kefu-peek-text")).ToHaveTextAsync("Still there?");
        await tab.Page.GetByTestId("kefu-peek-dismiss").ClickAsync();
        await Expect(peek).ToHaveCountAsync(0);
        await agent.SayAsync(conv, "One more thing");
        await Expect(tab.Page.GetByTestId("kefu-unread")).ToHaveTextAsync("2");
        await Expect(peek).ToHaveCountAsync(0);
        await Expect(tab.Page.GetByTestId("kefu-window")).ToBeHiddenAsync();
    }

    /// <summary>Enough messages for the list to scroll.</summary>
    internal static async Task FillAsync(WidgetPage tab, AgentSession agent, string conv)
    {
        for (var i = 1; i <= 12; i++)
        {
            await agent.SayAsync(conv, $"Message {i}: a line long enough to take some room in the chat window, so the list scrolls.");
        }

        await tab.ExpectMessageOnceAsync("Message 12: a line long enough to take some room in the chat window, so the list scrolls.");
    }
}
