using KefuSync.Conversations;
using Microsoft.Playwright;
using static KefuSync.Browser.Tests.Console.ConsoleHelpers;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests.Console;

/// <summary>
/// Issue 15 item 4 in real Chromium: a visitor chats anonymously in two tabs, signs in in one of them (the host's page
/// now passes a signed visitor id), and one conversation remains, in both tabs and in the console; signing out gives a
/// fresh, empty anonymous chat, not the old one back (docs/protocol.md §2.5).
/// </summary>
[Collection(ConsoleBrowserCollection.Name)]
public sealed class IdentityMergeBrowserTests(ConsoleBrowserFixture browser)
{
    private static ILocator Bubbles(IPage tab) => tab.GetByTestId("kefu-message-text");

    private static async Task ExpectConversationAsync(IPage tab, string key)
    {
        await tab.WaitForFunctionAsync($"() => window.KefuSync?.client.welcome?.conv === '{key}'", null, new() { Timeout = 20000 });
        await Expect(tab.Locator("[data-testid=kefu-window]")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task LogInMidChat_OneConversationRemains_InBothTabsAndTheConsole_AndLogOutStartsAFreshOne()
    {
        await using var host = await ConsoleSiteHost.StartAsync();
        var context = await host.NewContextAsync(browser.Browser, new BrowserNewContextOptions { Locale = "en-US" });
        var one = await context.NewPageAsync();
        await one.GotoAsync("/shop/home");
        var anonKey = await VisitorSaysAsync(one, "Where is my parcel?");
        var two = await context.NewPageAsync();
        await two.GotoAsync("/shop/shoes");
        await two.GetByTestId("kefu-launcher").ClickAsync();
        await Expect(Bubbles(two).Filter(new() { HasText = "Where is my parcel?" })).ToHaveCountAsync(1);

        var alice = await host.OpenConsoleAsync(browser.Browser, "alice");
        await OpenConversationAsync(alice, anonKey);
        await alice.GetByTestId("reply-input").FillAsync("Let me look it up");
        await alice.GetByTestId("reply-input").PressAsync("Enter");
        await Expect(Bubbles(one).Filter(new() { HasText = "Let me look it up" })).ToHaveCountAsync(1);
        await VisitorSaysAsync(one, "Order 42");

        // Carol signs in in tab two: the host's next page carries her signed id.
        await two.GotoAsync("/shop/account?visitor=carol");
        var carolKey = ConversationKeys.ForVisitor("h_carol");
        string[] history = ["Where is my parcel?", "Let me look it up", "Order 42"];
        foreach (var tab in new[] { one, two })
        {
            if (!await tab.GetByTestId("kefu-window").IsVisibleAsync())
            {
                await tab.GetByTestId("kefu-launcher").ClickAsync();
            }

            await ExpectConversationAsync(tab, carolKey);
            await Expect(Bubbles(tab)).ToHaveTextAsync(history, new() { Timeout = 20000 });
        }

        // Both tabs go on in the one conversation.
        await VisitorSaysAsync(one, "Signed in now");
        await Expect(Bubbles(two).Filter(new() { HasText = "Signed in now" })).ToHaveCountAsync(1);

        // The console: one conversation for Carol, with the whole history; the anonymous one is gone from the inbox.
        await Expect(InboxItem(alice, carolKey)).ToBeVisibleAsync();
        await Expect(InboxItem(alice, anonKey)).ToHaveCountAsync(0);
        await Expect(alice.GetByTestId("inbox-item")).ToHaveCountAsync(1);
        await OpenConversationAsync(alice, carolKey);
        await Expect(Messages(alice)).ToHaveCountAsync(4);

        // Signing out: the host's page carries no id any more. A fresh anonymous chat, empty, in both tabs.
        await two.GotoAsync("/shop/home");
        foreach (var tab in new[] { one, two })
        {
            if (!await tab.GetByTestId("kefu-window").IsVisibleAsync())
            {
                await tab.GetByTestId("kefu-launcher").ClickAsync();
            }

            await tab.WaitForFunctionAsync($"() => {{ const c = window.KefuSync?.client.welcome?.conv; return !!c && c !== '{carolKey}' && c !== '{anonKey}'; }}", null, new() { Timeout = 20000 });
            await Expect(Bubbles(tab)).ToHaveCountAsync(0);
            await Expect(tab.GetByTestId("kefu-empty")).ToBeVisibleAsync();
        }
    }
}
