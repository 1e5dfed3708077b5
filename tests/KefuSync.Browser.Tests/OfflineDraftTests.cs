using KefuSync.Browser.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests;

/// <summary>
/// The visitor's unsent draft across a closed tab (issue 15, bug 1): a message sent offline never comes back as the
/// draft (no second send, no typing preview of it), and the text left in the box is never lost.
/// </summary>
public sealed class OfflineDraftTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task SentOffline_TabClosed_BackOnline_Reopened_TheDraftIsEmpty_AndTheMessageIsStoredOnce()
    {
        var context = await NewContextAsync();
        var tab = await WidgetPage.OpenAsync(context);
        await tab.WaitReadyAsync();
        var conv = await tab.ConversationAsync();

        // the steps of the issue: offline, type, Enter, close the tab, online, open the site and the widget
        await context.SetOfflineAsync(true);
        await tab.Input.PressSequentiallyAsync("hello while offline");
        await tab.Input.PressAsync("Enter");
        await Expect(tab.Input).ToHaveValueAsync("");
        await Expect(tab.Page.GetByTestId("kefu-message").Last).ToHaveAttributeAsync("data-status", "sending");
        await tab.Page.CloseAsync();
        await context.SetOfflineAsync(false);

        var again = await WidgetPage.OpenAsync(context);
        await again.WaitReadyAsync();
        await again.ExpectMessageOnceAsync("hello while offline", 30000);
        await again.ExpectNothingPendingAsync();
        await DraftSettledAsync(again, conv, "");
        await Expect(again.Input).ToHaveValueAsync("");

        // Enter in the (empty) box sends nothing: the message is in the store once
        await again.Input.PressAsync("Enter");
        AssertOnceInOrder(await WaitForStoredAsync(conv, ["hello while offline"]), ["hello while offline"]);
    }

    [Fact]
    public async Task SentWhileTheServerIsDown_ThenTypingOn_TabClosed_TheReopenedBoxHoldsWhatWasLeftInIt()
    {
        var context = await NewContextAsync();
        var tab = await WidgetPage.OpenAsync(context);
        await tab.WaitReadyAsync();
        var conv = await tab.ConversationAsync();

        await Site.StopAsync();
        await Expect(tab.Page.GetByTestId("kefu-root")).Not.ToHaveAttributeAsync("data-state", "open");
        await tab.Input.PressSequentiallyAsync("sent while down");
        await tab.Input.PressAsync("Enter");
        await Expect(tab.Input).ToHaveValueAsync("");
        await tab.Input.PressSequentiallyAsync("left in the box");
        // what a closing page leaves in IndexedDB: the message, and the draft's state with the text in the box
        await tab.Page.WaitForFunctionAsync("async () => (await window.KefuSync.client.outbox.all()).length === 1");
        await tab.Page.WaitForFunctionAsync(
            """
            async () => {
              const all = await new Promise((resolve, reject) => {
                const open = indexedDB.open('kefu-outbox');
                open.onerror = reject;
                open.onsuccess = () => {
                  const r = open.result.transaction('ops').objectStore('ops').getAll();
                  r.onsuccess = () => { open.result.close(); resolve(r.result); };
                  r.onerror = reject;
                };
              });
              return all.some((r) => r.doc === 'left in the box');
            }
            """,
            null,
            new() { Timeout = 10000, PollingInterval = 100 });
        await tab.Page.CloseAsync();
        await Site.StartAsync();

        var again = await WidgetPage.OpenAsync(context);
        await again.WaitReadyAsync();
        await again.ExpectMessageOnceAsync("sent while down", 30000);
        await again.ExpectNothingPendingAsync();
        await Expect(again.Input).ToHaveValueAsync("left in the box");
        await DraftSettledAsync(again, conv, "left in the box");
        AssertOnceInOrder(await WaitForStoredAsync(conv, ["sent while down"]), ["sent while down"]);
    }

    /// <summary>The server's draft (what agents see as the typing preview) is <paramref name="text"/>, and so is the box.</summary>
    private async Task DraftSettledAsync(WidgetPage page, string conv, string text)
    {
        var kefu = Site.Services.GetRequiredService<IKefuSyncService>();
        var doc = "";
        await Eventually.TrueAsync(
            async () => (doc = (await kefu.GetDocumentAsync("vdraft:" + conv)).Text) == text,
            () => $"the stored draft to be '{text}'; it is '{doc}'",
            30000);
        await Expect(page.Input).ToHaveValueAsync(text);
    }
}
