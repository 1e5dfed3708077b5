using KefuSync.Browser.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests;

/// <summary>
/// What the widget tells a visitor when things go wrong (issue 15, bugs 2-4): the connection as it is, a message that
/// waits for it, a message the server refused (why, and what to do), and a text over the length limit. Each state is
/// saved at desktop (1280×800) and phone (390×844) size to <c>artifacts/screenshots/</c> (copied to docs/screenshots).
/// </summary>
public sealed class WidgetStatesTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    public static TheoryData<string, int, int, bool> Devices => new() { { "desktop", 1280, 800, false }, { "phone", 390, 844, true } };

    [Theory]
    [MemberData(nameof(Devices))]
    public async Task GoingOffline_TheHeaderSaysSoAtOnce_AMessageWaitsVisibly_AndGoesOnceBackOnline(string device, int width, int height, bool mobile)
    {
        var context = await NewContextAsync(width, height, mobile);
        var tab = await WidgetPage.OpenAsync(context);
        await tab.WaitReadyAsync();
        var conv = await tab.ConversationAsync();
        var status = tab.Page.GetByTestId("kefu-status");

        // The socket is still open as far as the browser's WebSocket knows (it holds frames while offline): only the
        // `offline` event can tell, and the header must not go on saying the chat is live.
        await context.SetOfflineAsync(true);
        await Expect(status).ToHaveAttributeAsync("data-conn", "offline");
        await Expect(status).ToHaveAttributeAsync("data-online", "false");
        await Expect(status).ToContainTextAsync("No connection");
        await Expect(tab.Page.GetByTestId("kefu-conn")).ToContainTextAsync("No connection");
        await tab.SendAsync("sent while offline");
        var last = tab.Page.GetByTestId("kefu-message").Last;
        await Expect(last).ToHaveAttributeAsync("data-status", "sending");
        await Expect(last.GetByTestId("kefu-message-status")).ToHaveAttributeAsync("data-w", "waiting for the connection");
        await tab.Page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots.Directory(), $"widget-offline-{device}-{width}x{height}.png") });

        await context.SetOfflineAsync(false);
        await Expect(tab.Page.GetByTestId("kefu-root")).ToHaveAttributeAsync("data-state", "open");
        await Expect(status).ToHaveAttributeAsync("data-conn", "open");
        await tab.ExpectNothingPendingAsync();
        AssertOnceInOrder(await WaitForStoredAsync(conv, ["sent while offline"]), ["sent while offline"]);
    }

    [Theory]
    [MemberData(nameof(Devices))]
    public async Task AMessageTheServerRefuses_SaysWhy_CanBeTakenBackToEdit_OrDiscarded(string device, int width, int height, bool mobile)
    {
        var context = await NewContextAsync(width, height, mobile);
        var tab = await WidgetPage.OpenAsync(context);
        await tab.WaitReadyAsync();
        var conv = await tab.ConversationAsync();
        await tab.SendAsync("Do you ship to Lyon?");
        await tab.ExpectNothingPendingAsync();

        // Text the server refuses for good (an unpaired surrogate: invalid_op, not retryable), as a broken paste gives.
        await SendRefusedAsync(tab, "Half an emoji: ");
        var failed = tab.Page.Locator("[data-testid=kefu-message][data-status=failed]");
        await Expect(failed).ToHaveCountAsync(1);
        await Expect(failed.GetByTestId("kefu-fail-reason")).ToHaveTextAsync("too long or not valid text");
        await Expect(failed.GetByTestId("kefu-retry")).ToHaveCountAsync(0); // it would fail again
        await Expect(failed.GetByTestId("kefu-discard")).ToBeVisibleAsync();
        await tab.Page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots.Directory(), $"widget-failed-{device}-{width}x{height}.png") });

        // Edit: the text goes back into the box (the broken half shown as U+FFFD, to fix), the failed message goes
        await failed.GetByTestId("kefu-edit").ClickAsync();
        await Expect(failed).ToHaveCountAsync(0);
        await Expect(tab.Input).ToHaveValueAsync("Half an emoji: \uFFFD");
        await tab.Input.FillAsync("");

        // Discard: gone from the list and from the outbox, never sent
        await SendRefusedAsync(tab, "Again ");
        await Expect(failed).ToHaveCountAsync(1);
        await failed.GetByTestId("kefu-discard").ClickAsync();
        await Expect(failed).ToHaveCountAsync(0);
        await tab.Page.WaitForFunctionAsync("async () => (await window.KefuSync.client.outbox.all()).length === 0");
        await tab.Page.ReloadAsync();
        await tab.LoadedAsync();
        await tab.WaitReadyAsync();
        await Expect(tab.Page.Locator("[data-testid=kefu-message][data-status=failed]")).ToHaveCountAsync(0);
        Assert.Equal(["Do you ship to Lyon?"], (await StoredMessagesAsync(conv)).Select(m => m.Text));
    }

    [Theory]
    [MemberData(nameof(Devices))]
    public async Task ALongPaste_IsNotCut_TheCounterSaysItIsTooLong_AndSendRefusesIt(string device, int width, int height, bool mobile)
    {
        var context = await NewContextAsync(width, height, mobile);
        var tab = await WidgetPage.OpenAsync(context);
        await tab.WaitReadyAsync();
        var conv = await tab.ConversationAsync();
        var count = tab.Page.GetByTestId("kefu-count");
        await Expect(count).ToBeHiddenAsync();

        var near = string.Concat(Enumerable.Repeat("Tea leaves. ", 310)); // 3,720 characters: near the 4,000 limit
        await tab.Input.FillAsync(near);
        await Expect(count).ToBeVisibleAsync();
        await Expect(count).ToHaveTextAsync($"{near.Length} / 4000");

        var over = near + string.Concat(Enumerable.Repeat("More tea. ", 40)); // 4,120: over it
        await tab.Input.FillAsync(over);
        await Expect(tab.Input).ToHaveValueAsync(over); // all of it, nothing cut
        await Expect(count).ToHaveTextAsync($"Too long: {over.Length} / 4000");
        await Expect(count).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("over"));
        await tab.Input.PressAsync("Enter");
        await Expect(tab.Input).ToHaveValueAsync(over); // refused: still in the box
        await Expect(tab.Page.GetByTestId("kefu-message")).ToHaveCountAsync(0);
        await tab.Input.EvaluateAsync("ta => ta.scrollTop = ta.scrollHeight");
        await tab.Page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots.Directory(), $"widget-counter-{device}-{width}x{height}.png") });

        // shortened below the limit, it goes
        await tab.Input.FillAsync(near);
        await tab.Input.PressAsync("Enter");
        await Expect(tab.Input).ToHaveValueAsync("");
        await Expect(count).ToBeHiddenAsync();
        AssertOnceInOrder(await WaitForStoredAsync(conv, [near.Trim()]), [near.Trim()]);
    }

    /// <summary>
    /// Puts <paramref name="text"/> and half a surrogate pair into the box (no keyboard types one; set in the page, as
    /// .NET's JSON would replace it) and sends it: the server refuses it for good (invalid_op, docs/protocol.md §4.2).
    /// </summary>
    private static async Task SendRefusedAsync(WidgetPage tab, string text)
    {
        await tab.Input.EvaluateAsync("(ta, v) => { ta.value = v + String.fromCharCode(0xd83d); }", text);
        await tab.Input.PressAsync("Enter");
        await Expect(tab.Input).ToHaveValueAsync("");
    }
}
