using Microsoft.Playwright;
using static KefuSync.Browser.Tests.Console.ConsoleHelpers;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests.Console;

[Collection(ConsoleBrowserCollection.Name)]
public sealed class ConsoleInboxTests(ConsoleBrowserFixture browser)
{
    [Fact]
    public async Task AssignCloseReopen_ShowInEveryConsole_WithoutReload()
    {
        await using var host = await ConsoleSiteHost.StartAsync();
        var visitor = await host.OpenVisitorAsync(browser.Browser);
        var key = await VisitorSaysAsync(visitor, "I need a refund");
        var alice = await host.OpenConsoleAsync(browser.Browser, "alice");
        var bob = await host.OpenConsoleAsync(browser.Browser, "bob");
        await OpenConversationAsync(alice, key);
        await Expect(InboxItem(bob, key)).ToBeVisibleAsync();

        // assign to me (alice): bob's inbox and alice's header follow
        await alice.GetByTestId("assign-me").ClickAsync();
        await Expect(InboxItem(bob, key)).ToHaveAttributeAsync("data-assignee", "agent:alice");
        await Expect(InboxItem(bob, key).GetByTestId("inbox-assignee")).ToHaveTextAsync("Alice");
        await Expect(alice.GetByTestId("conv-assignee")).ToHaveAttributeAsync("data-assignee", "agent:alice");
        await alice.GetByTestId("filter-mine").ClickAsync();
        await Expect(InboxItem(alice, key)).ToBeVisibleAsync();
        await bob.GetByTestId("filter-unassigned").ClickAsync();
        await Expect(InboxItem(bob, key)).ToHaveCountAsync(0);
        await bob.GetByTestId("filter-all").ClickAsync();

        // bob opens it too; alice closes it: bob's header and inbox follow (it leaves "all", enters "closed")
        await OpenConversationAsync(bob, key);
        await Expect(bob.GetByTestId("conv-assignee")).ToContainTextAsync("Alice");
        await alice.GetByTestId("close-conv").ClickAsync();
        await Expect(bob.GetByTestId("conv-status")).ToHaveAttributeAsync("data-status", "closed");
        await Expect(InboxItem(bob, key)).ToHaveCountAsync(0);
        await bob.GetByTestId("filter-closed").ClickAsync();
        await Expect(InboxItem(bob, key)).ToHaveAttributeAsync("data-status", "closed");
        await Expect(alice.GetByTestId("filter-mine")).ToContainTextAsync("0");

        // bob reopens: alice sees it open again
        await bob.GetByTestId("reopen").ClickAsync();
        await Expect(alice.GetByTestId("conv-status")).ToHaveAttributeAsync("data-status", "open");
        await Expect(InboxItem(alice, key)).ToHaveAttributeAsync("data-status", "open");

        // alice hands it to bob through the agent list (agents known from `site` presence)
        await alice.GetByTestId("assign-select").SelectOptionAsync("agent:bob");
        await Expect(bob.GetByTestId("conv-assignee")).ToHaveAttributeAsync("data-assignee", "agent:bob");
        await bob.GetByTestId("filter-mine").ClickAsync();
        await Expect(InboxItem(bob, key)).ToBeVisibleAsync();

        // a visitor message on a closed conversation reopens it (server rule), live in the console
        await bob.GetByTestId("close-conv").ClickAsync();
        await Expect(alice.GetByTestId("conv-status")).ToHaveAttributeAsync("data-status", "closed");
        await VisitorSaysAsync(visitor, "One more thing");
        await Expect(alice.GetByTestId("conv-status")).ToHaveAttributeAsync("data-status", "open");
    }

    [Fact]
    public async Task Console_ReconnectsAfterTheServerDropsItsSocket_AndShowsWhatItMissed()
    {
        await using var host = await ConsoleSiteHost.StartAsync();
        var visitor = await host.OpenVisitorAsync(browser.Browser);
        var key = await VisitorSaysAsync(visitor, "Before the drop");
        var alice = await host.OpenConsoleAsync(browser.Browser, "alice");
        await OpenConversationAsync(alice, key);
        await Expect(Messages(alice)).ToHaveCountAsync(1);
        var accepted = host.Connections.Accepted;

        host.Connections.CloseAll(1001, "test");
        await host.Kefu.PostMessageAsync(key, "Missed while you were away (1)", new KefuSender("bot:notice", "Notice bot"));
        await host.Kefu.PostMessageAsync(key, "Missed while you were away (2)", new KefuSender("bot:notice", "Notice bot"));
        var other = await host.OpenVisitorAsync(browser.Browser);
        var otherKey = await VisitorSaysAsync(other, "A new conversation during the drop");

        await Expect(Messages(alice).Filter(new() { HasText = "Missed while you were away (1)" })).ToBeVisibleAsync();
        await Expect(Messages(alice).Filter(new() { HasText = "Missed while you were away (2)" })).ToBeVisibleAsync();
        await Expect(Messages(alice)).ToHaveCountAsync(3);
        await Expect(InboxItem(alice, otherKey)).ToBeVisibleAsync();
        await Expect(InboxItem(alice, key).GetByTestId("inbox-last")).ToContainTextAsync("(2)");
        await Expect(alice.GetByTestId("console")).ToHaveAttributeAsync("data-state", "open");
        Assert.True(host.Connections.Accepted > accepted, "the console did not open a new connection");

        // and it still works both ways
        await alice.GetByTestId("reply-input").FillAsync("Back again");
        await alice.GetByTestId("reply-send").ClickAsync();
        await Expect(visitor.GetByTestId("kefu-message").Filter(new() { HasText = "Back again" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task LiveVisitors_StartChat_SendsAProactiveMessage_AndTheWidgetOpensItself()
    {
        await using var host = await ConsoleSiteHost.StartAsync();
        var visitor = await host.OpenVisitorAsync(browser.Browser, "/shop/home");
        await visitor.GetByRole(AriaRole.Link, new() { Name = "shoes" }).ClickAsync();
        await Expect(visitor.GetByTestId("kefu-launcher")).ToBeVisibleAsync();
        var key = await ConversationKeyAsync(visitor);
        await Expect(visitor.GetByTestId("kefu-window")).ToBeHiddenAsync();

        var alice = await host.OpenConsoleAsync(browser.Browser, "alice");
        await alice.GetByTestId("tab-visitors").ClickAsync();
        var row = alice.Locator($"[data-testid=visitor][data-conv='{key}']");
        await Expect(row.GetByTestId("visitor-row-page")).ToHaveTextAsync("Running shoes · Demo Shop");
        await Expect(row.GetByTestId("visitor-row-since")).ToHaveTextAsync("just now");
        await row.GetByTestId("start-chat").ClickAsync();

        // the conversation opens with a greeting in the (shared) reply box, and the visitor's pages beside it
        await Expect(alice.Locator($"[data-testid=conversation][data-key='{key}']")).ToBeVisibleAsync();
        await Expect(alice.GetByTestId("reply-input")).ToHaveValueAsync("Hi! Can I help you with anything?");
        await Expect(alice.GetByTestId("reply-input")).ToBeFocusedAsync();
        await Expect(alice.GetByTestId("visitor-page")).ToHaveTextAsync("Running shoes · Demo Shop");
        await Expect(alice.GetByTestId("visitor-trail")).ToContainTextAsync("Home · Demo Shop");
        await alice.GetByTestId("reply-input").PressAsync("Enter");

        // the widget, never opened by the visitor, opens itself with the agent's message
        await Expect(visitor.GetByTestId("kefu-window")).ToBeVisibleAsync();
        await Expect(visitor.GetByTestId("kefu-message").Filter(new() { HasText = "Can I help you" })).ToBeVisibleAsync();
        await alice.GetByTestId("tab-inbox").ClickAsync();
        await Expect(InboxItem(alice, key)).ToBeVisibleAsync();
        await Expect(InboxItem(alice, key).GetByTestId("inbox-last")).ToContainTextAsync("Can I help you");
    }

    [Fact]
    public async Task Inbox_KeepsKeyboardFocus_WhenAnUpdateRebuildsTheList()
    {
        await using var host = await ConsoleSiteHost.StartAsync();
        var chatty = await host.OpenVisitorAsync(browser.Browser);
        var first = await VisitorSaysAsync(chatty, "First");
        var second = await VisitorSaysAsync(await host.OpenVisitorAsync(browser.Browser), "Second");
        var alice = await host.OpenConsoleAsync(browser.Browser, "alice");
        await Expect(InboxItem(alice, second)).ToBeVisibleAsync();
        await InboxItem(alice, second).FocusAsync();

        // another conversation changes: its row moves to the top and the list is rebuilt; the keyboard user stays put
        await VisitorSaysAsync(chatty, "Still there?");
        await Expect(InboxItem(alice, first).GetByTestId("inbox-last")).ToContainTextAsync("Still there?");
        await Expect(InboxItem(alice, second)).ToBeFocusedAsync();
    }

    [Fact]
    public async Task Inbox_IsKeyboardAccessible()
    {
        await using var host = await ConsoleSiteHost.StartAsync();
        var first = await VisitorSaysAsync(await host.OpenVisitorAsync(browser.Browser), "First");
        var second = await VisitorSaysAsync(await host.OpenVisitorAsync(browser.Browser), "Second");
        var alice = await host.OpenConsoleAsync(browser.Browser, "alice");
        await Expect(InboxItem(alice, first)).ToBeVisibleAsync();

        // newest first; arrow keys move between rows, Enter opens, the reply box gets the focus
        await InboxItem(alice, second).FocusAsync();
        await alice.Keyboard.PressAsync("ArrowDown");
        await Expect(InboxItem(alice, first)).ToBeFocusedAsync();
        await alice.Keyboard.PressAsync("Enter");
        await Expect(alice.Locator($"[data-testid=conversation][data-key='{first}']")).ToBeVisibleAsync();
        await Expect(alice.GetByTestId("reply-input")).ToBeFocusedAsync();
        await alice.Keyboard.PressAsync("Tab"); // to Send
        await alice.Keyboard.PressAsync("Escape");
        await Expect(alice.GetByTestId("placeholder")).ToBeVisibleAsync();
        await Expect(InboxItem(alice, first)).ToBeFocusedAsync();
    }
}
