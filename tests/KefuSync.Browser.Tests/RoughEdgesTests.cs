using KefuSync.Browser.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests;

/// <summary>The widget's rough edges (issue 15 item 7): links in messages, the chat open across pages.</summary>
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
