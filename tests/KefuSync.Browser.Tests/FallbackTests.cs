using KefuSync.Browser.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests;

/// <summary>The fallbacks (event stream or long polling, + POST) carry a whole conversation: forced by the page, or because WebSockets are refused.</summary>
public sealed class FallbackTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task ForcedSse_CarriesAWholeConversation_AcrossTabs_WithoutAnyWebSocket()
    {
        var context = await NewContextAsync();
        var browserSockets = 0;
        context.Page += (_, page) => page.WebSocket += (_, _) => Interlocked.Increment(ref browserSockets);
        // The widget rendered the non-MVC way, HttpContext.KefuWidget(...), with Transport = "sse".
        var tab = await WidgetPage.OpenAsync(context, SiteHost.PageUrl("one", transport: "sse"));
        var other = await WidgetPage.OpenAsync(context, SiteHost.PageUrl("two", transport: "sse"));
        Assert.Equal("sse", await tab.Page.Locator("script[data-kefu-endpoint]").GetAttributeAsync("data-kefu-transport"));
        await tab.WaitReadyAsync();
        await other.WaitReadyAsync();
        await ConverseAsync(tab, other);

        Assert.Equal(0, Site.WebSocketRequests);
        Assert.Equal(0, browserSockets);
        // One fallback session for both tabs (the dropped one is gone from the registry once its close completes).
        await Eventually.TrueAsync(() => Site.Connections.Count == 1, $"one connection on the server (there are {Site.Connections.Count})", 10000);
    }

    /// <summary>
    /// Long polling forced by the page, under a strict CSP: the lazily loaded kefu-fallback.js runs with the widget's
    /// nonce, and polls carry the whole conversation (docs/protocol.md §1.2.4).
    /// </summary>
    [Fact]
    public async Task ForcedLongPolling_UnderAStrictCsp_CarriesAWholeConversation_AcrossTabs()
    {
        var context = await NewContextAsync();
        var browserSockets = 0;
        var polls = 0;
        var streams = 0;
        context.Page += (_, page) =>
        {
            page.WebSocket += (_, _) => Interlocked.Increment(ref browserSockets);
            page.Request += (_, request) =>
            {
                if (request.Url.Contains("/kefu/poll?", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref polls);
                }
                else if (request.Url.Contains("/kefu/sse?", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref streams);
                }
            };
        };
        var tab = await WidgetPage.OpenAsync(context, SiteHost.PageUrl("one", csp: true, transport: "poll"));
        var other = await WidgetPage.OpenAsync(context, SiteHost.PageUrl("two", csp: true, transport: "poll"));
        Assert.Equal("poll", await tab.Page.Locator("script[data-kefu-endpoint]").GetAttributeAsync("data-kefu-transport"));
        await tab.WaitReadyAsync();
        await other.WaitReadyAsync();
        await ConverseAsync(tab, other);

        Assert.Equal(0, Site.WebSocketRequests);
        Assert.Equal(0, browserSockets);
        Assert.Equal(0, streams);
        Assert.True(polls > 0, "no long poll was made");
    }

    [Fact]
    public async Task WhenTheWebSocketEndpointIsRefused_TheWidgetFallsBackToSse_AndCarriesAWholeConversation()
    {
        Site.RefuseWebSockets = true; // a middleware before MapKefuSync answers /kefu/ws with 400
        var context = await NewContextAsync();
        var tab = await WidgetPage.OpenAsync(context, SiteHost.PageUrl("one"));
        var other = await WidgetPage.OpenAsync(context, SiteHost.PageUrl("two"));
        await tab.WaitReadyAsync();
        await other.WaitReadyAsync();
        await ConverseAsync(tab, other);

        Assert.True(Site.RefusedWebSockets > 0, "the widget never tried a WebSocket");
        Assert.Equal(0, Site.WebSocketRequests);
        Assert.True(Site.Connections.Accepted >= 1);
    }

    /// <summary>
    /// Visitor messages go up, an agent's reply and the draft come down, the session is dropped by the server in the
    /// middle (the client reconnects on the fallback), all exactly once and in order.
    /// </summary>
    private async Task ConverseAsync(WidgetPage tab, WidgetPage other)
    {
        var conv = await tab.ConversationAsync();
        Assert.Equal(conv, await other.ConversationAsync());
        List<string> all = [];
        foreach (var text in new[] { "fallback one", "fallback two", "fallback three" })
        {
            await tab.SendAsync(text);
            all.Add(text);
        }

        await WaitForStoredAsync(conv, all);
        var kefu = Site.Services.GetRequiredService<IKefuSyncService>();
        await kefu.PostMessageAsync(conv, "an agent answers over the fallback", new KefuSender("agent:alice", "Alice"), "agent-reply-1");
        all.Add("an agent answers over the fallback");

        // The follower tab types; the draft reaches the leader tab through the session.
        await other.Input.PressSequentiallyAsync("a draft over the fallback");
        await Expect(tab.Input).ToHaveValueAsync("a draft over the fallback");
        await other.Input.FillAsync("");
        await Expect(tab.Input).ToHaveValueAsync("");

        // The server drops the session; the visitor keeps writing.
        Site.Connections.CloseAll(1001, "dropped by test");
        foreach (var text in new[] { "after the drop one", "after the drop two" })
        {
            await other.SendAsync(text);
            all.Add(text);
        }

        foreach (var page in new[] { tab, other })
        {
            foreach (var text in all)
            {
                await page.ExpectMessageOnceAsync(text);
            }

            Assert.Equal(all, (await page.MessageTextsAsync()).Where(all.Contains).ToArray());
            await page.ExpectNothingPendingAsync();
        }

        AssertOnceInOrder(await WaitForStoredAsync(conv, all), all);
        await AssertConsecutiveAsync(conv);
    }
}
