using Microsoft.Playwright;
using static KefuSync.Browser.Tests.Console.ConsoleHelpers;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests.Console;

[Collection(ConsoleBrowserCollection.Name)]
public sealed class ConsolePresenceTests(ConsoleBrowserFixture browser)
{
    /// <summary>
    /// With a 3 s TTL, 10 s without any input is more than three TTLs: an entry survives only through heartbeats
    /// (every TTL/3, independent of input). The production TTL is 30 s, so the same heartbeats keep an idle agent for
    /// 3 minutes (18 TTL/3 periods), which the vitest fake-clock test checks; here it is real time end to end.
    /// </summary>
    [Fact]
    public async Task AgentViewing_StaysWhileIdleForManyTtls_AndIsGoneWithinOneTtlAfterClosingTheTab()
    {
        await using var host = await ConsoleSiteHost.StartAsync();
        var visitor = await host.OpenVisitorAsync(browser.Browser);
        var key = await VisitorSaysAsync(visitor, "Anyone there?");
        var alice = await host.OpenConsoleAsync(browser.Browser, "alice");
        var bob = await host.OpenConsoleAsync(browser.Browser, "bob");
        await OpenConversationAsync(alice, key);
        await OpenConversationAsync(bob, key);

        var bobViewing = alice.Locator("[data-testid=viewer][data-id='agent:bob']");
        await Expect(bobViewing).ToBeVisibleAsync();
        await Expect(bobViewing).ToHaveAttributeAsync("data-replying", "false");

        // bob starts replying: alice sees it
        await bob.GetByTestId("reply-input").PressSequentiallyAsync("One moment");
        await Expect(bobViewing).ToHaveAttributeAsync("data-replying", "true");
        // ... and the visitor sees an agent typing
        await Expect(visitor.GetByTestId("kefu-typing")).ToBeVisibleAsync();

        // bob goes idle (no input at all): he stays "viewing" through more than three TTLs
        var idleUntil = DateTime.UtcNow + (ConsoleSiteHost.PresenceTtl * 3.4);
        while (DateTime.UtcNow < idleUntil)
        {
            Assert.True(await bobViewing.IsVisibleAsync(), "bob's presence expired while his tab was open");
            await Task.Delay(250);
        }

        await Expect(bobViewing).ToHaveAttributeAsync("data-replying", "false"); // typing stopped a while ago

        // bob's status on `site` is shown to alice as an agent she can assign to
        await Expect(alice.Locator("[data-testid=assign-select] option[value='agent:bob']")).ToHaveCountAsync(1);

        // bob closes the tab: gone from alice's view within one TTL
        var closed = DateTime.UtcNow;
        await bob.Context.CloseAsync();
        await Expect(bobViewing).ToHaveCountAsync(0, new() { Timeout = (float)(ConsoleSiteHost.PresenceTtl.TotalMilliseconds + 500) });
        Assert.True(DateTime.UtcNow - closed < ConsoleSiteHost.PresenceTtl + TimeSpan.FromSeconds(1));
    }

    /// <summary>
    /// Issue 15, bug 2: presence is known only through the connection. While the console is disconnected it says it
    /// cannot know whether the visitor is on the site, instead of showing "Online now" from before.
    /// </summary>
    [Fact]
    public async Task ConsoleOffline_TheVisitorsPresenceIsUnknown_NotOnlineNow_AndComesBackWithTheConnection()
    {
        await using var host = await ConsoleSiteHost.StartAsync();
        var visitor = await host.OpenVisitorAsync(browser.Browser);
        var key = await VisitorSaysAsync(visitor, "Still there?");
        var alice = await host.OpenConsoleAsync(browser.Browser, "alice");
        await OpenConversationAsync(alice, key);
        var online = alice.GetByTestId("visitor-online");
        await Expect(online).ToHaveAttributeAsync("data-online", "true");

        await alice.Context.SetOfflineAsync(true);
        await Expect(alice.GetByTestId("conn")).ToHaveTextAsync("Connecting…");
        await Expect(online).ToHaveAttributeAsync("data-online", "unknown");
        await Expect(online).ToHaveTextAsync("Unknown while reconnecting");

        await alice.Context.SetOfflineAsync(false);
        await Expect(online).ToHaveAttributeAsync("data-online", "true", new() { Timeout = 30000 });
    }

    [Fact]
    public async Task AgentStatus_IsPublishedOnSite_AndVisitorsSeeAwayAgentsAsAway()
    {
        await using var host = await ConsoleSiteHost.StartAsync();
        var visitor = await host.OpenVisitorAsync(browser.Browser);
        await visitor.GetByTestId("kefu-launcher").ClickAsync();
        await Expect(visitor.GetByTestId("kefu-status")).ToHaveAttributeAsync("data-online", "false");

        var alice = await host.OpenConsoleAsync(browser.Browser, "alice");
        var bob = await host.OpenConsoleAsync(browser.Browser, "bob");
        await Expect(visitor.GetByTestId("kefu-status")).ToHaveAttributeAsync("data-online", "true");

        await alice.GetByTestId("agent-status").SelectOptionAsync("away");
        await bob.GetByTestId("agent-status").SelectOptionAsync("offline");
        await Expect(visitor.GetByTestId("kefu-status")).ToHaveAttributeAsync("data-online", "false");

        await alice.GetByTestId("agent-status").SelectOptionAsync("online");
        await Expect(visitor.GetByTestId("kefu-status")).ToHaveAttributeAsync("data-online", "true");
    }
}
