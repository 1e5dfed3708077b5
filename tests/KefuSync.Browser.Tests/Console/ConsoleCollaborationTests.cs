using System.Text.RegularExpressions;
using KefuSync.Ot;
using Microsoft.Playwright;
using static KefuSync.Browser.Tests.Console.ConsoleHelpers;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests.Console;

[Collection(ConsoleBrowserCollection.Name)]
public sealed class ConsoleCollaborationTests(ConsoleBrowserFixture browser)
{
    private const int Keystrokes = 25;

    private static async Task<(IPage Alice, IPage Bob, string Key)> TwoAgentsOnOneConversationAsync(ConsoleSiteHost host, IBrowser b)
    {
        var visitor = await host.OpenVisitorAsync(b);
        var key = await VisitorSaysAsync(visitor, "Can you help me?");
        var alice = await host.OpenConsoleAsync(b, "alice");
        var bob = await host.OpenConsoleAsync(b, "bob");
        await OpenConversationAsync(alice, key);
        await OpenConversationAsync(bob, key);
        await alice.GetByTestId("reply-input").ClickAsync();
        await bob.GetByTestId("reply-input").ClickAsync();
        return (alice, bob, key);
    }

    /// <summary>Waits until both reply boxes and the server's document hold the same text.</summary>
    private static async Task<string> ConvergedDraftAsync(ConsoleSiteHost host, string key, IPage alice, IPage bob)
    {
        string a = "", b = "", server = "";
        for (var i = 0; i < 150; i++)
        {
            a = await DraftAsync(alice);
            b = await DraftAsync(bob);
            server = (await host.Kefu.GetDocumentAsync("draft:" + key)).Text;
            if (a == b && b == server)
            {
                return a;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"drafts did not converge: alice '{a}', bob '{b}', server '{server}'");
        return a;
    }

    [Fact]
    public async Task TwoAgents_TypingIntoTheSameDraftAtOnce_Converge_WithEveryKeystrokeOfBoth()
    {
        await using var host = await ConsoleSiteHost.StartAsync();
        var (alice, bob, key) = await TwoAgentsOnOneConversationAsync(host, browser.Browser);

        await Task.WhenAll(
            alice.GetByTestId("reply-input").PressSequentiallyAsync(new string('a', Keystrokes), new() { Delay = 25 }),
            bob.GetByTestId("reply-input").PressSequentiallyAsync(new string('b', Keystrokes), new() { Delay = 25 }));

        var text = await ConvergedDraftAsync(host, key, alice, bob);
        Assert.Equal(Keystrokes, text.Count(c => c == 'a'));
        Assert.Equal(Keystrokes, text.Count(c => c == 'b'));
        Assert.Equal(2 * Keystrokes, text.Length);

        // each sees the other's cursor, transformed to where the other one is
        await Expect(alice.Locator("[data-testid=draft-cursor][data-name=Bob]")).ToBeVisibleAsync();
        await Expect(bob.Locator("[data-testid=draft-cursor][data-name=Alice]")).ToBeVisibleAsync();
        var bobCaret = await bob.EvaluateAsync<int>("() => document.querySelector('[data-testid=reply-input]').selectionStart");
        await Expect(alice.Locator("[data-testid=draft-cursor][data-name=Bob]")).ToHaveAttributeAsync("data-start", bobCaret.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // Send posts the text and clears the draft for everyone
        await alice.GetByTestId("reply-send").ClickAsync();
        await Expect(Messages(bob).Last.GetByTestId("message-text")).ToHaveTextAsync(text);
        await Expect(bob.GetByTestId("reply-input")).ToHaveValueAsync("");
        await WaitForAsync(async () => (await host.Kefu.GetDocumentAsync("draft:" + key)).Text.Length == 0);
    }

    /// <summary>
    /// The console makes a new text channel for a conversation's draft each time it is opened. Its op ids must continue
    /// the tab's sequence on that channel: restarting at 1 resent ids the server had committed, which it answers as
    /// duplicates, so what the agent typed after coming back was shown but never saved.
    /// </summary>
    [Fact]
    public async Task ADraftOpenedAgain_AfterAnotherConversation_KeepsSavingWhatIsTyped()
    {
        await using var host = await ConsoleSiteHost.StartAsync();
        var first = await VisitorSaysAsync(await host.OpenVisitorAsync(browser.Browser), "First visitor");
        var second = await VisitorSaysAsync(await host.OpenVisitorAsync(browser.Browser), "Second visitor");
        var alice = await host.OpenConsoleAsync(browser.Browser, "alice");
        var input = alice.GetByTestId("reply-input");

        await OpenConversationAsync(alice, first);
        await input.ClickAsync();
        await input.PressSequentiallyAsync("hello", new() { Delay = 20 });
        await WaitForAsync(async () => (await host.Kefu.GetDocumentAsync("draft:" + first)).Text == "hello");

        await OpenConversationAsync(alice, second);
        await OpenConversationAsync(alice, first);
        await Expect(input).ToHaveValueAsync("hello");
        await input.ClickAsync();
        await input.PressAsync("End");
        await input.PressSequentiallyAsync(" world", new() { Delay = 20 });

        await WaitForAsync(async () => (await host.Kefu.GetDocumentAsync("draft:" + first)).Text == "hello world");
        await Expect(input).ToHaveValueAsync("hello world");
    }

    [Fact]
    public async Task ServerSideSuggestion_InsertedWhileTwoAgentsType_KeepsEveryKeystroke()
    {
        await using var host = await ConsoleSiteHost.StartAsync();
        var (alice, bob, key) = await TwoAgentsOnOneConversationAsync(host, browser.Browser);
        var channel = "draft:" + key;

        // Both keep typing until the suggestion is committed and then a few keystrokes more, so by construction it lands
        // while both are typing, however slow the machine (a fixed number of keystrokes raced the commit on a loaded CI).
        var suggested = new TaskCompletionSource();
        var typing = Task.WhenAll(
            TypeUntilAfterAsync(alice.GetByTestId("reply-input"), 'a', suggested.Task),
            TypeUntilAfterAsync(bob.GetByTestId("reply-input"), 'b', suggested.Task));
        await WaitForAsync(async () => (await host.Kefu.GetDocumentAsync(channel)).Text.Length >= 6);
        var doc = await host.Kefu.GetDocumentAsync(channel);
        var suggestion = new TextOperation().Insert("[AI] ").Retain(doc.Text.Length);
        var result = await host.Kefu.SubmitTextOperationAsync(channel, doc.Revision, suggestion, new KefuSender("bot:assistant", "Assistant"));
        Assert.True(result.Committed, result.Error);
        suggested.SetResult();
        var typed = await typing;

        var text = await ConvergedDraftAsync(host, key, alice, bob);
        Assert.StartsWith("[AI] ", text, StringComparison.Ordinal);
        Assert.Equal(typed[0], text.Count(c => c == 'a'));
        Assert.Equal(typed[1], text.Count(c => c == 'b'));
        Assert.Equal(typed[0] + typed[1] + 5, text.Length);
    }

    /// <summary>Types <paramref name="c"/> one key at a time until <paramref name="after"/> completed, then five more; returns how many were typed.</summary>
    private static async Task<int> TypeUntilAfterAsync(ILocator input, char c, Task after)
    {
        var typed = 0;
        var more = 5;
        while (!after.IsCompleted || more-- > 0)
        {
            await input.PressSequentiallyAsync(c.ToString(), new() { Delay = 40 });
            typed++;
        }

        return typed;
    }

    [Fact]
    public async Task CannedReplies_AreCoEdited_AndSlashNameTabInsertsThem()
    {
        await using var host = await ConsoleSiteHost.StartAsync();
        var (alice, bob, _) = await TwoAgentsOnOneConversationAsync(host, browser.Browser);

        await alice.GetByTestId("aside-canned").ClickAsync();
        await alice.GetByTestId("canned-name").FillAsync("returns");
        await alice.GetByTestId("canned-add").ClickAsync();
        await alice.GetByTestId("canned-text").FillAsync("You can return anything within 30 days.");

        // bob sees the new reply and its text live, and edits it too
        await bob.GetByTestId("aside-canned").ClickAsync();
        await Expect(bob.Locator("[data-testid=canned-item][data-name=returns]")).ToBeVisibleAsync();
        await bob.Locator("[data-testid=canned-item][data-name=returns]").ClickAsync();
        await Expect(bob.GetByTestId("canned-text")).ToHaveValueAsync("You can return anything within 30 days.");
        await bob.GetByTestId("canned-text").PressAsync("End");
        await bob.GetByTestId("canned-text").PressSequentiallyAsync(" Free pickup.");
        await Expect(alice.GetByTestId("canned-text")).ToHaveValueAsync("You can return anything within 30 days. Free pickup.");
        Assert.Equal("returns", (await host.Kefu.GetDocumentAsync("canned:_index")).Text.Trim());

        // "/ret" + Tab in the reply box expands the unique match
        await bob.GetByTestId("reply-input").ClickAsync();
        await bob.GetByTestId("reply-input").PressSequentiallyAsync("Sure! /ret");
        await Expect(bob.GetByTestId("canned-hint")).ToHaveTextAsync("/returns");
        await bob.GetByTestId("reply-input").PressAsync("Tab");
        await Expect(bob.GetByTestId("reply-input")).ToHaveValueAsync("Sure! You can return anything within 30 days. Free pickup.");
        await Expect(alice.GetByTestId("reply-input")).ToHaveValueAsync("Sure! You can return anything within 30 days. Free pickup.");
        // Tab with nothing to expand moves the focus on (keyboard users are not trapped)
        await bob.GetByTestId("reply-input").PressAsync("Tab");
        await Expect(bob.GetByTestId("reply-send")).ToBeFocusedAsync();
        Assert.Matches(new Regex("^Sure! You can return"), await DraftAsync(alice));
    }

    internal static async Task WaitForAsync(Func<Task<bool>> condition, int timeoutMs = 15000)
    {
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, "condition not met in time");
            await Task.Delay(100);
        }
    }
}
