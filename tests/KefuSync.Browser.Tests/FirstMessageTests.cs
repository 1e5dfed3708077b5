using KefuSync.Browser.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests;

/// <summary>
/// A new visitor has no conversation until the server's first <c>welcome</c> names it. A message typed and sent before
/// then (a slow network, a busy server) must be sent once the conversation is known, not stay in the box.
/// </summary>
public sealed class FirstMessageTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task NewVisitorPressesEnterBeforeTheFirstWelcome_TheMessageIsSentOnceWhenTheConnectionOpens()
    {
        var context = await NewContextAsync();
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Holds the widget's WebSocket until the visitor has pressed Enter: the welcome cannot come before.
        await context.RouteWebSocketAsync("**/kefu/ws", async ws =>
        {
            asked.TrySetResult();
            await release.Task;
            ws.ConnectToServer();
        });

        var tab = await WidgetPage.OpenAsync(context, SiteHost.PageUrl("first"));
        await asked.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Null(await tab.Page.EvaluateAsync<string?>("() => localStorage.getItem('kefu:me:/kefu')")); // no conversation yet
        await tab.Input.FillAsync("hello before the welcome");
        await tab.Input.PressAsync("Enter");
        release.SetResult();

        var conv = await tab.ConversationAsync();
        await Expect(tab.Input).ToHaveValueAsync("", new() { Timeout = 20000 });
        await tab.ExpectMessageOnceAsync("hello before the welcome");
        await tab.ExpectNothingPendingAsync();
        AssertOnceInOrder(await WaitForStoredAsync(conv, ["hello before the welcome"]), ["hello before the welcome"]);
    }
}
