using Microsoft.Playwright;
using static KefuSync.Browser.Tests.Console.ConsoleHelpers;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests.Console;

[Collection(ConsoleBrowserCollection.Name)]
public sealed class ConsoleNotificationTests(ConsoleBrowserFixture browser)
{
    /// <summary>Records desktop notifications instead of showing them, and makes the tabs look hidden (in the background).</summary>
    private const string FakeNotifications = """
        window.__notes = [];
        class FakeNotification {
          constructor(title, o) { window.__notes.push({ title, body: (o && o.body) || '' }); }
          close() {}
        }
        FakeNotification.permission = 'granted';
        FakeNotification.requestPermission = () => Promise.resolve('granted');
        window.Notification = FakeNotification;
        Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get() { return 'hidden'; } });
        """;

    private static async Task<(int Count, string[] Titles, bool Leader)> NotesAsync(IPage page)
    {
        var titles = await page.EvaluateAsync<string[]>("() => window.__notes.map(n => n.title + ' | ' + n.body)");
        var leader = await page.EvaluateAsync<bool>("() => window.KefuConsole.client.isLeader");
        return (titles.Length, titles, leader);
    }

    [Fact]
    public async Task NewConversationAndVisitorMessages_NotifyOnce_FromTheLeaderConsoleTabOnly()
    {
        await using var host = await ConsoleSiteHost.StartAsync();
        var context = await host.AgentContextAsync(browser.Browser, "alice");
        await context.AddInitScriptAsync(FakeNotifications);
        var tab1 = await ConsoleSiteHost.ConsoleTabAsync(context);
        var tab2 = await ConsoleSiteHost.ConsoleTabAsync(context);

        var visitor = await host.OpenVisitorAsync(browser.Browser);
        var key = await VisitorSaysAsync(visitor, "Is anyone there?");
        await Expect(InboxItem(tab1, key)).ToBeVisibleAsync();
        await Expect(InboxItem(tab2, key)).ToBeVisibleAsync();
        await VisitorSaysAsync(visitor, "Hello??");
        await Expect(InboxItem(tab2, key)).ToHaveAttributeAsync("data-unread", "2");
        await Task.Delay(500);

        var a = await NotesAsync(tab1);
        var b = await NotesAsync(tab2);
        Assert.True(a.Leader ^ b.Leader, "exactly one console tab leads");
        var leader = a.Leader ? a : b;
        var follower = a.Leader ? b : a;
        Assert.Equal(0, follower.Count);
        Assert.Equal(2, leader.Count);
        Assert.StartsWith("New conversation | Is anyone there?", leader.Titles[0], StringComparison.Ordinal);
        Assert.StartsWith("New message from Visitor", leader.Titles[1], StringComparison.Ordinal);
        Assert.EndsWith("| Hello??", leader.Titles[1], StringComparison.Ordinal);

        // the title badge shows the unread total in every tab
        await Expect(tab1).ToHaveTitleAsync(new System.Text.RegularExpressions.Regex(@"^\(2\) Demo Shop"));
        await Expect(tab2).ToHaveTitleAsync(new System.Text.RegularExpressions.Regex(@"^\(2\) Demo Shop"));
    }
}
