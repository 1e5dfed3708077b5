using KefuSync.Browser.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests;

/// <summary>The connection goes away under a visitor who keeps typing: nothing lost, nothing doubled, nothing reordered.</summary>
public sealed class ResilienceTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task ServerDropsEverySocket_WhileTheVisitorKeepsSending_EverythingArrivesOnceInOrder()
    {
        var (tab, other, conv) = await TwoTabsAsync();
        var sent = new List<string>();
        await SendAsync(tab, sent, "before the drop", 3);
        var accepted = Site.Connections.Accepted;

        // The server closes every socket (as a proxy restart would) and the visitor keeps sending meanwhile.
        Site.Connections.CloseAll(1001, "dropped by test");
        await SendAsync(tab, sent, "during the drop", 3);
        await Eventually.TrueAsync(() => Site.Connections.Accepted > accepted, "the widget to reconnect");
        await SendAsync(other, sent, "after the reconnect", 2);

        await ExpectEverywhereOnceInOrderAsync(conv, sent, tab, other);
        Assert.Equal(1, Site.Connections.Count); // still one socket for the browser
    }

    [Fact]
    public async Task ServerStopsAndStartsOnTheSamePort_WhileTheVisitorKeepsSending_EverythingArrivesOnceInOrder()
    {
        var (tab, other, conv) = await TwoTabsAsync();
        var sent = new List<string>();
        await SendAsync(tab, sent, "before the stop", 3);
        var port = Site.Port;

        // Sends racing the shutdown, then sends while the server is down (the outbox keeps them), from both tabs.
        var stopping = Site.StopAsync();
        await SendAsync(tab, sent, "while stopping", 2);
        await stopping;
        await Expect(tab.Page.GetByTestId("kefu-root")).Not.ToHaveAttributeAsync("data-state", "open");
        await SendAsync(tab, sent, "while down", 2);
        await SendAsync(other, sent, "while down, other tab", 2);
        foreach (var page in new[] { tab, other })
        {
            await Expect(page.Page.GetByTestId("kefu-message").Last).ToHaveAttributeAsync("data-status", "sending");
        }

        await Site.StartAsync();
        Assert.Equal(port, Site.Port);
        await SendAsync(tab, sent, "after the restart", 2);

        await ExpectEverywhereOnceInOrderAsync(conv, sent, tab, other, timeoutMs: 45000);
    }

    /// <summary>
    /// The store is replaced by an empty one (a reset, a restore) under an open widget whose cache holds revisions the new
    /// store never had. The server answers its resubscription with future_base; the widget drops the conversation's
    /// state, subscribes from 0, and then shows the agent's new message and delivers the visitor's.
    /// </summary>
    [Fact]
    public async Task StoreReplacedUnderAnOpenWidget_TheWidgetResetsTheConversation_AndKeepsReceivingAndSending()
    {
        var context = await NewContextAsync();
        var tab = await WidgetPage.OpenAsync(context, SiteHost.PageUrl("reset"));
        await tab.WaitReadyAsync();
        var conv = await tab.ConversationAsync();
        await using (var agent = await AgentSession.ConnectAsync(Site))
        {
            await agent.SayAsync(conv, "before the reset, from Alice");
        }

        await tab.ExpectMessageOnceAsync("before the reset, from Alice");
        await tab.SendAsync("before the reset, from the visitor");
        await WaitForStoredAsync(conv, ["before the reset, from the visitor"]);
        await tab.ExpectNothingPendingAsync();

        await Site.StopAsync();
        Site.ReplaceStore();
        await Site.StartAsync();
        Assert.Empty(await Site.ReadChannelAsync("conv:" + conv));

        // Reconnected and reset: the messages of the old store are gone from the widget (the new store has none).
        await Expect(tab.Messages).ToHaveCountAsync(0, new() { Timeout = 30000 });
        await tab.Page.WaitForFunctionAsync("() => window.KefuSync.client.state === 'open'", null, new() { Timeout = 30000 });

        await using (var agent = await AgentSession.ConnectAsync(Site))
        {
            await agent.SayAsync(conv, "after the reset, from Alice");
        }

        await tab.ExpectMessageOnceAsync("after the reset, from Alice", timeoutMs: 30000);
        await tab.SendAsync("after the reset, from the visitor");
        var stored = await WaitForStoredAsync(conv, ["after the reset, from the visitor"]);
        await tab.ExpectNothingPendingAsync();
        AssertOnceInOrder(stored, ["after the reset, from Alice", "after the reset, from the visitor"]);
        Assert.DoesNotContain(stored, m => m.Text.StartsWith("before the reset", StringComparison.Ordinal));
        await tab.ExpectMessageOnceAsync("after the reset, from the visitor");
        Assert.Empty(Site.ServerErrors);
    }

    private async Task<(WidgetPage Tab, WidgetPage Other, string Conv)> TwoTabsAsync()
    {
        var context = await NewContextAsync();
        var tab = await WidgetPage.OpenAsync(context, SiteHost.PageUrl("one"));
        var other = await WidgetPage.OpenAsync(context, SiteHost.PageUrl("two"));
        await tab.WaitReadyAsync();
        await other.WaitReadyAsync();
        return (tab, other, await tab.ConversationAsync());
    }

    private static async Task SendAsync(WidgetPage page, List<string> sent, string prefix, int count)
    {
        for (var i = 1; i <= count; i++)
        {
            var text = $"{prefix} {i}";
            await page.SendAsync(text);
            sent.Add(text);
        }
    }

    /// <summary>Every tab shows each message once in the sent order, nothing is left to resend, and the store agrees.</summary>
    private async Task ExpectEverywhereOnceInOrderAsync(string conv, List<string> sent, WidgetPage tab, WidgetPage other, int timeoutMs = 30000)
    {
        foreach (var page in new[] { tab, other })
        {
            foreach (var text in sent)
            {
                await page.ExpectMessageOnceAsync(text, timeoutMs);
            }

            await page.ExpectNothingPendingAsync(timeoutMs);
            Assert.Equal(sent, (await page.MessageTextsAsync()).Where(sent.Contains).ToArray());
        }

        AssertOnceInOrder(await WaitForStoredAsync(conv, sent, timeoutMs), sent);
        await AssertConsecutiveAsync(conv);
    }
}
