using Microsoft.Playwright;
using static KefuSync.Browser.Tests.Console.ConsoleHelpers;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests.Console;

[Collection(ConsoleBrowserCollection.Name)]
public sealed class ConsoleChatTests(ConsoleBrowserFixture browser)
{
    [Fact]
    public async Task VisitorAndTwoAgents_MessagesRoundTripBothWays_WithReadReceiptsAndTypingPreview()
    {
        await using var host = await ConsoleSiteHost.StartAsync();
        var alice = await host.OpenConsoleAsync(browser.Browser, "alice");
        var bob = await host.OpenConsoleAsync(browser.Browser, "bob");
        var visitor = await host.OpenVisitorAsync(browser.Browser);

        var key = await VisitorSaysAsync(visitor, "Hello, do you ship to Shanghai?");

        // both consoles list it live, with the unread count and the title badge
        foreach (var agent in new[] { alice, bob })
        {
            await Expect(InboxItem(agent, key)).ToHaveAttributeAsync("data-unread", "1");
            await Expect(InboxItem(agent, key).GetByTestId("inbox-last")).ToHaveTextAsync("Hello, do you ship to Shanghai?");
            await Expect(agent).ToHaveTitleAsync(new System.Text.RegularExpressions.Regex(@"^\(1\) "));
        }

        // alice opens it: she reads it, so the visitor sees "Read" and the unread count clears everywhere
        await OpenConversationAsync(alice, key);
        await Expect(Messages(alice).Filter(new() { HasText = "Shanghai" })).ToHaveAttributeAsync("data-role", "visitor");
        await Expect(visitor.GetByTestId("kefu-message-status").Last).ToHaveTextAsync("Read");
        await Expect(InboxItem(bob, key)).ToHaveAttributeAsync("data-unread", "0");
        await Expect(bob).Not.ToHaveTitleAsync(new System.Text.RegularExpressions.Regex(@"^\("));

        // the visitor types without sending: typing indicator and live preview in the console
        await visitor.GetByTestId("kefu-input").PressSequentiallyAsync("Also to Beij");
        await Expect(alice.GetByTestId("visitor-typing")).ToBeVisibleAsync();
        await Expect(alice.GetByTestId("visitor-preview-text")).ToHaveTextAsync("Also to Beij");
        await visitor.GetByTestId("kefu-input").FillAsync("");
        await Expect(alice.GetByTestId("visitor-preview")).ToBeHiddenAsync();

        // alice replies; the visitor gets it, reads it (widget open and visible) and alice sees "Read"
        await alice.GetByTestId("reply-input").FillAsync("Yes, we ship all over China.");
        await alice.GetByTestId("reply-send").ClickAsync();
        await Expect(visitor.GetByTestId("kefu-message").Filter(new() { HasText = "we ship all over China" })).ToBeVisibleAsync();
        var reply = Messages(alice).Filter(new() { HasText = "we ship all over China" });
        await Expect(reply.GetByTestId("message-status")).ToHaveAttributeAsync("data-status", "read");
        Assert.Equal("", await DraftAsync(alice));

        // bob opens it later and sees the whole exchange
        await OpenConversationAsync(bob, key);
        await Expect(Messages(bob)).ToHaveCountAsync(2);
        await Expect(Messages(bob).Last.GetByTestId("message-text")).ToHaveTextAsync("Yes, we ship all over China.");
    }
}
