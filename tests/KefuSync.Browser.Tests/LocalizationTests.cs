using KefuSync.Browser.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests;

/// <summary>The widget speaks the page's language: <c>&lt;html lang="zh-CN"&gt;</c> gives Chinese, whatever the browser's.</summary>
public sealed class LocalizationTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task AChinesePage_GetsChineseStrings_EvenInAnEnglishBrowser()
    {
        var context = await NewContextAsync(locale: "en-US");
        var tab = await WidgetPage.OpenAsync(context, SiteHost.PageUrl("首页", lang: "zh-CN"), openChat: false);
        await Expect(tab.Launcher).ToHaveAttributeAsync("aria-label", "打开在线客服");
        await tab.OpenChatAsync();
        await tab.WaitReadyAsync();

        await Expect(tab.Page.GetByTestId("kefu-root")).ToHaveAttributeAsync("lang", "zh-CN");
        await Expect(tab.Page.GetByTestId("kefu-title")).ToHaveTextAsync("在线客服");
        await Expect(tab.Input).ToHaveAttributeAsync("placeholder", "输入消息…");
        await Expect(tab.SendButton).ToHaveAttributeAsync("aria-label", "发送");
        await Expect(tab.Page.GetByTestId("kefu-close")).ToHaveAttributeAsync("aria-label", "关闭聊天窗口");
        await Expect(tab.Page.GetByTestId("kefu-empty")).ToHaveTextAsync("有什么可以帮您？我们通常几分钟内回复。");
        await Expect(tab.Page.GetByTestId("kefu-status")).ToContainTextAsync("离开"); // no agent online
        await Expect(tab.Page.GetByTestId("kefu-offline-hint")).ToHaveTextAsync("客服暂时不在线，请留言，我们会尽快回复。");

        await tab.SendAsync("你好，请问乌龙茶还有货吗？");
        await tab.ExpectMessageOnceAsync("你好，请问乌龙茶还有货吗？");
        await Expect(tab.Page.GetByTestId("kefu-message-status").Last).ToHaveTextAsync("已发送");
        var conv = await tab.ConversationAsync();
        AssertOnceInOrder(await WaitForStoredAsync(conv, ["你好，请问乌龙茶还有货吗？"]), ["你好，请问乌龙茶还有货吗？"]);

        // No English string leaked into the shadow root.
        var text = await tab.Page.GetByTestId("kefu-window").InnerTextAsync();
        foreach (var english in new[] { "Chat with us", "Type a message", "Away", "Sent", "Send" })
        {
            Assert.DoesNotContain(english, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AnEnglishPage_GetsEnglishStrings_EvenInAChineseBrowser()
    {
        var context = await NewContextAsync(locale: "zh-CN");
        var tab = await WidgetPage.OpenAsync(context, SiteHost.PageUrl("home", lang: "en"));
        await Expect(tab.Page.GetByTestId("kefu-title")).ToHaveTextAsync("Chat with us");
        await Expect(tab.Input).ToHaveAttributeAsync("placeholder", "Type a message…");

        // The tag's explicit language wins over the page's.
        var forced = await WidgetPage.OpenAsync(await NewContextAsync(locale: "en-US"), SiteHost.PageUrl("home", lang: "en", widgetLanguage: "zh-CN"));
        await Expect(forced.Page.GetByTestId("kefu-title")).ToHaveTextAsync("在线客服");
    }
}
