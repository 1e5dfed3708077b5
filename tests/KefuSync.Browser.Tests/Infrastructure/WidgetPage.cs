using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests.Infrastructure;

/// <summary>One browser tab with the visitor widget, driven through its test ids (the widget lives in an open shadow root, which Playwright's locators pierce).</summary>
internal sealed class WidgetPage(IPage page)
{
    public IPage Page { get; } = page;

    public ILocator Launcher => Page.GetByTestId("kefu-launcher");

    public ILocator Input => Page.GetByTestId("kefu-input");

    public ILocator SendButton => Page.GetByTestId("kefu-send");

    public ILocator Messages => Page.GetByTestId("kefu-message-text");

    public static async Task<WidgetPage> OpenAsync(IBrowserContext context, string path = "/page/home", bool openChat = true)
    {
        var page = new WidgetPage(await context.NewPageAsync());
        await page.GotoAsync(path, openChat);
        return page;
    }

    public async Task GotoAsync(string path, bool openChat = true)
    {
        await Page.GotoAsync(path);
        await LoadedAsync(openChat);
    }

    public async Task ReloadAsync(bool openChat = true)
    {
        await Page.ReloadAsync();
        await LoadedAsync(openChat);
    }

    /// <summary>After a navigation or reload: the widget booted (and, with <paramref name="openChat"/>, its window is open).</summary>
    public async Task LoadedAsync(bool openChat = true)
    {
        await Page.WaitForFunctionAsync("() => !!window.KefuSync", null, new() { Timeout = 15000 });
        if (openChat)
        {
            await OpenChatAsync();
        }
    }

    public async Task OpenChatAsync()
    {
        if (!await Page.EvaluateAsync<bool>("() => window.KefuSync.isOpen"))
        {
            await Launcher.ClickAsync();
        }

        await Expect(Input).ToBeVisibleAsync();
    }

    /// <summary>Waits until the widget knows its conversation (after its first <c>welcome</c>, here or relayed by the leader tab).</summary>
    public async Task<string> ConversationAsync()
    {
        var handle = await Page.WaitForFunctionAsync(
            "() => { try { const v = JSON.parse(localStorage.getItem('kefu:me:/kefu') || 'null'); return v && v.conv; } catch { return null; } }",
            null,
            new() { Timeout = 20000 });
        return (await handle.JsonValueAsync<string>())!;
    }

    /// <summary>Waits until the chat can send: a conversation is bound and the connection (here or the leader's) is open.</summary>
    public async Task WaitReadyAsync()
    {
        await ConversationAsync();
        await Expect(SendButton).ToBeEnabledAsync(new() { Timeout = 20000 });
        await Page.WaitForFunctionAsync("() => window.KefuSync.client.state === 'open'", null, new() { Timeout = 20000 });
    }

    public async Task SendAsync(string text)
    {
        await Input.FillAsync(text);
        await Expect(Input).ToHaveValueAsync(text);
        await SendButton.ClickAsync();
        await Expect(Input).ToHaveValueAsync("");
    }

    /// <summary>
    /// Waits until nothing of this visitor waits to be sent: no message shows "sending", and the shared IndexedDB outbox
    /// is empty (so no resend can come later: what the store holds now is final).
    /// </summary>
    public async Task ExpectNothingPendingAsync(int timeoutMs = 30000)
    {
        await Expect(Page.Locator("[data-testid=kefu-message][data-status=sending]")).ToHaveCountAsync(0, new() { Timeout = timeoutMs });
        await Page.WaitForFunctionAsync("async () => (await window.KefuSync.client.outbox.all()).length === 0", null, new() { Timeout = timeoutMs, PollingInterval = 100 });
    }

    public Task<bool> IsLeaderAsync() => Page.EvaluateAsync<bool>("() => window.KefuSync.client.isLeader");

    public Task<IReadOnlyList<string>> MessageTextsAsync() => Messages.AllTextContentsAsync();

    /// <summary>Waits until <paramref name="text"/> is shown exactly once.</summary>
    public Task ExpectMessageOnceAsync(string text, int timeoutMs = 20000) =>
        Expect(Messages.Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(text) + "$") }))
            .ToHaveCountAsync(1, new() { Timeout = timeoutMs });
}
