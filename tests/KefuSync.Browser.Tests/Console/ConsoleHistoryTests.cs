using System.Globalization;
using Microsoft.Playwright;
using static KefuSync.Browser.Tests.Console.ConsoleHelpers;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests.Console;

[Collection(ConsoleBrowserCollection.Name)]
public sealed class ConsoleHistoryTests(ConsoleBrowserFixture browser)
{
    [Fact]
    public async Task Agent_EditsAndRecallsOwnMessage_VisitorAndOtherAgentsSeeIt()
    {
        await using var host = await ConsoleSiteHost.StartAsync();
        var visitor = await host.OpenVisitorAsync(browser.Browser);
        var key = await VisitorSaysAsync(visitor, "What are your opening hours?");
        var alice = await host.OpenConsoleAsync(browser.Browser, "alice");
        var bob = await host.OpenConsoleAsync(browser.Browser, "bob");
        await OpenConversationAsync(alice, key);
        await OpenConversationAsync(bob, key);

        await alice.GetByTestId("reply-input").FillAsync("We open at 9 and close at 16.");
        await alice.GetByTestId("reply-input").PressAsync("Enter");
        await alice.GetByTestId("reply-input").FillAsync("Closed on Sundays.");
        await alice.GetByTestId("reply-input").PressAsync("Enter");
        await Expect(visitor.GetByTestId("kefu-message")).ToHaveCountAsync(3);

        // only one's own messages can be changed
        await Expect(bob.GetByTestId("message-edit")).ToHaveCountAsync(0);
        var first = Messages(alice).Filter(new() { HasText = "We open at 9" });
        await first.GetByTestId("message-edit").ClickAsync();
        await alice.GetByTestId("edit-input").FillAsync("We open at 9 and close at 18.");
        await alice.GetByTestId("edit-save").ClickAsync();
        await Expect(visitor.GetByTestId("kefu-message-text").Nth(1)).ToHaveTextAsync("We open at 9 and close at 18.");
        await Expect(visitor.GetByTestId("kefu-message").Nth(1)).ToContainTextAsync("edited");
        await Expect(Messages(bob).Nth(1)).ToContainTextAsync("edited");

        await Messages(alice).Filter(new() { HasText = "Closed on Sundays" }).GetByTestId("message-recall").ClickAsync();
        await Expect(visitor.GetByTestId("kefu-message-text").Nth(2)).ToHaveTextAsync("Message recalled");
        await Expect(Messages(bob).Nth(2).GetByTestId("message-text")).ToHaveTextAsync("Message recalled");

        // a console opened later gets the same history, edits and recalls included
        var carol = await host.OpenConsoleAsync(browser.Browser, "carol");
        await OpenConversationAsync(carol, key);
        await Expect(Messages(carol).Nth(1).GetByTestId("message-text")).ToHaveTextAsync("We open at 9 and close at 18.");
        await Expect(Messages(carol).Nth(2).GetByTestId("message-text")).ToHaveTextAsync("Message recalled");
    }

    [Fact]
    public async Task LongConversation_LoadsTheTail_AndPagesBackOnScroll_WithEditsOfOldMessages()
    {
        await using var host = await ConsoleSiteHost.StartAsync();
        var visitor = await host.OpenVisitorAsync(browser.Browser);
        var key = await VisitorSaysAsync(visitor, "Message number 0");
        for (var i = 1; i <= 120; i++)
        {
            var r = await host.Kefu.PostMessageAsync(key, "Message number " + i.ToString(CultureInfo.InvariantCulture), new KefuSender("bot:history", "History bot"));
            Assert.True(r.Committed, r.Error);
        }

        var alice = await host.OpenConsoleAsync(browser.Browser, "alice");
        await OpenConversationAsync(alice, key);
        await Expect(Messages(alice).Last.GetByTestId("message-text")).ToHaveTextAsync("Message number 120");
        var loaded = await Messages(alice).CountAsync();
        Assert.InRange(loaded, 2, 120); // only the tail (plus what fills the view)

        // scrolling to the top pages back until the first message
        for (var i = 0; i < 20 && await Messages(alice).CountAsync() < 121; i++)
        {
            await alice.GetByTestId("messages").EvaluateAsync("el => el.scrollTop = 0");
            await Task.Delay(200);
        }

        await Expect(Messages(alice)).ToHaveCountAsync(121);
        await Expect(Messages(alice).First.GetByTestId("message-text")).ToHaveTextAsync("Message number 0");
        await Expect(alice.GetByTestId("load-older")).ToBeHiddenAsync();
        var revs = await Messages(alice).EvaluateAllAsync<int[]>("els => els.map(e => +e.dataset.rev)");
        Assert.Equal(revs.OrderBy(r => r), revs);
        Assert.Equal(revs.Length, revs.Distinct().Count());
    }
}
