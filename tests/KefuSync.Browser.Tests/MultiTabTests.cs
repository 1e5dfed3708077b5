using System.Diagnostics;
using KefuSync.Browser.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests;

/// <summary>Many tabs of one visitor: one socket, shared messages and draft, leader hand-over, refresh mid-send.</summary>
public sealed class MultiTabTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task ThreeTabs_ShareMessagesAndTheDraft_OverExactlyOneWebSocket()
    {
        var context = await NewContextAsync();
        var tabs = new List<WidgetPage>();
        foreach (var name in new[] { "one", "two", "three" })
        {
            tabs.Add(await WidgetPage.OpenAsync(context, SiteHost.PageUrl(name)));
        }

        foreach (var tab in tabs)
        {
            await tab.WaitReadyAsync();
        }

        var conv = await tabs[0].ConversationAsync();
        Assert.All(await Task.WhenAll(tabs.Select(t => t.ConversationAsync())), c => Assert.Equal(conv, c));

        // The draft typed in one tab shows in the others (the vdraft channel, relayed by the leader).
        await tabs[0].Input.PressSequentiallyAsync("draft typed in tab one");
        await Expect(tabs[1].Input).ToHaveValueAsync("draft typed in tab one");
        await Expect(tabs[2].Input).ToHaveValueAsync("draft typed in tab one");

        // A message sent in one tab appears once in all three, and once in the store.
        await tabs[1].SendAsync("sent from tab two");
        foreach (var tab in tabs)
        {
            await tab.ExpectMessageOnceAsync("sent from tab two");
            await Expect(tab.Input).ToHaveValueAsync(""); // sending cleared the shared draft everywhere
        }

        AssertOnceInOrder(await WaitForStoredAsync(conv, ["sent from tab two"]), ["sent from tab two"]);

        // Exactly one connection reached the server for the three tabs, a WebSocket, and it stays one
        // (a short bounded look for a late second socket: there is no event for "nothing happened").
        await Task.Delay(1000);
        Assert.Equal(1, Site.WebSocketRequests);
        Assert.Equal(1L, Site.Connections.Accepted);
        Assert.Equal(1, Site.Connections.Count);
        Assert.Single(await Task.WhenAll(tabs.Select(t => t.IsLeaderAsync())), leader => leader);
    }

    [Fact]
    public async Task LeaderTabClosed_WhileAMessageIsPending_AnotherTabTakesOver_AndItArrivesOnce()
    {
        var context = await NewContextAsync();
        var tabs = new List<WidgetPage>();
        for (var i = 0; i < 3; i++)
        {
            tabs.Add(await WidgetPage.OpenAsync(context, SiteHost.PageUrl("tab" + i)));
        }

        foreach (var tab in tabs)
        {
            await tab.WaitReadyAsync();
        }

        var conv = await tabs[0].ConversationAsync();
        var leaders = await Task.WhenAll(tabs.Select(t => t.IsLeaderAsync()));
        Assert.Single(leaders, l => l);
        var leader = tabs[Array.IndexOf(leaders, true)];
        var followers = tabs.Where(t => t != leader).ToArray();
        var acceptedBefore = Site.Connections.Accepted;

        // Both messages reach the server through the leader's socket and wait there, uncommitted: pending.
        Site.HoldAppends();
        await leader.SendAsync("typed in the leader tab");
        await Eventually.TrueAsync(() => Site.HeldAppends >= 1, "the leader's submit to reach the server");
        // The input is one shared draft: let the leader's "sent, cleared" reach the follower before it types.
        await Expect(followers[0].Input).ToHaveValueAsync("");
        await followers[0].SendAsync("typed in a follower tab");
        await Expect(followers[0].Page.GetByTestId("kefu-message").Last).ToHaveAttributeAsync("data-status", "sending");

        var closedAt = Stopwatch.StartNew();
        await leader.Page.CloseAsync();
        await Eventually.TrueAsync(() => Site.Connections.Accepted > acceptedBefore, "a follower to take over with a socket of its own", 10000);
        var takeover = closedAt.Elapsed;
        Assert.True(takeover < TimeSpan.FromSeconds(3), $"the take-over took {takeover.TotalMilliseconds:F0} ms");
        Assert.Single(await Task.WhenAll(followers.Select(t => t.IsLeaderAsync())), l => l);
        Site.ReleaseAppends();

        string[] texts = ["typed in the leader tab", "typed in a follower tab"];
        foreach (var tab in followers)
        {
            foreach (var text in texts)
            {
                await tab.ExpectMessageOnceAsync(text);
            }

            await tab.ExpectNothingPendingAsync();
        }

        // Nothing is left to resend anywhere (every outbox is empty), so the store is final: each once, in order.
        AssertOnceInOrder(await WaitForStoredAsync(conv, texts), texts);
        await AssertConsecutiveAsync(conv);
    }

    [Fact]
    public async Task Refresh_MidSend_TheMessageArrivesExactlyOnce()
    {
        var context = await NewContextAsync();
        var tab = await WidgetPage.OpenAsync(context);
        await tab.WaitReadyAsync();
        var conv = await tab.ConversationAsync();

        Site.HoldAppends();
        await tab.SendAsync("sent just before a refresh");
        await Eventually.TrueAsync(() => Site.HeldAppends >= 1, "the submit to reach the server");
        await tab.Page.ReloadAsync(); // the held append's connection goes away with the page
        Site.ReleaseAppends();
        await tab.LoadedAsync(openChat: true);
        await tab.WaitReadyAsync();
        await tab.ExpectMessageOnceAsync("sent just before a refresh");
        await tab.ExpectNothingPendingAsync();
        AssertOnceInOrder(await WaitForStoredAsync(conv, ["sent just before a refresh"]), ["sent just before a refresh"]);

        // And a refresh before the message even left the browser: sent while the server was down, the page reloaded as
        // soon as the server is back (before the widget's reconnect backoff has run out): the outbox sends it once.
        await Site.StopAsync();
        await Expect(tab.Page.GetByTestId("kefu-root")).Not.ToHaveAttributeAsync("data-state", "open");
        await tab.SendAsync("sent while the server was down, then refreshed");
        await Expect(tab.Page.GetByTestId("kefu-message").Last).ToHaveAttributeAsync("data-status", "sending");
        await Site.StartAsync();
        await tab.Page.ReloadAsync();
        await tab.LoadedAsync(openChat: true);
        await tab.ExpectMessageOnceAsync("sent while the server was down, then refreshed", 30000);
        await tab.ExpectNothingPendingAsync();
        AssertOnceInOrder(await WaitForStoredAsync(conv, ["sent just before a refresh", "sent while the server was down, then refreshed"]), ["sent just before a refresh", "sent while the server was down, then refreshed"]);
    }
}
