using KefuSync.Browser.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests;

/// <summary>
/// Saves the widget's look to <c>artifacts/screenshots/</c> at desktop (1280×800) and phone (390×844) sizes, closed
/// and open with a conversation, in English and Chinese. For human eyes; the assertions check the layout basics
/// (the window fits the viewport, the launcher is not covered).
/// </summary>
public sealed class ScreenshotTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [Theory]
    [InlineData("desktop", 1280, 800, false, "en")]
    [InlineData("phone", 390, 844, true, "en")]
    [InlineData("desktop", 1280, 800, false, "zh-CN")]
    [InlineData("phone", 390, 844, true, "zh-CN")]
    public async Task Widget_ClosedAndOpen_WithMessages(string device, int width, int height, bool mobile, string lang)
    {
        var zh = lang == "zh-CN";
        var prefix = $"widget-{device}-{lang}";
        var directory = Screenshots.Directory();
        var context = await NewContextAsync(width, height, mobile, zh ? "zh-CN" : "en-US");
        var tab = await WidgetPage.OpenAsync(context, SiteHost.PageUrl(zh ? "首页" : "home", lang: lang), openChat: false);
        await Expect(tab.Launcher).ToBeVisibleAsync();
        await tab.Page.ScreenshotAsync(new() { Path = Path.Combine(directory, $"{prefix}-closed.png") });

        await using var agent = await AgentSession.ConnectAsync(Site, "alice", zh ? "客服小李" : "Alice");
        await Expect(tab.Page.GetByTestId("kefu-status")).ToHaveAttributeAsync("data-online", "true");
        await tab.OpenChatAsync();
        await tab.WaitReadyAsync();
        var conv = await tab.ConversationAsync();
        await tab.SendAsync(zh ? "你好！2024 年的武夷岩茶还有货吗？" : "Hi! Is the 2024 Wuyi oolong still in stock?");
        await tab.ExpectNothingPendingAsync();
        var answer = zh ? "您好！还有 40 罐。您需要 100 克装还是 250 克装？" : "Hello! Yes, we have 40 tins left. Would you like the 100 g or the 250 g tin?";
        await agent.SayAsync(conv, answer);
        await tab.ExpectMessageOnceAsync(answer);
        await tab.SendAsync(zh ? "250 克的，谢谢 🍵" : "250 g please 🍵");
        await tab.ExpectNothingPendingAsync();
        var longText = zh
            ? "好的，已为您预留。顺丰包邮，一般两到三天送达。如需发票，请在下单备注里写明抬头和税号，我们会随包裹一起寄出。"
            : "Great, I have put one aside for you. Shipping is free and usually takes two to three days. If you need an invoice, add your company details in the order notes and we will send it with the parcel.";
        await agent.SayAsync(conv, longText);
        await tab.ExpectMessageOnceAsync(longText);
        await agent.TypingAsync(conv, true);
        await Expect(tab.Page.GetByTestId("kefu-typing")).ToBeVisibleAsync();
        await tab.Input.FillAsync(zh ? "还有一个问题，" : "One more question,");
        await Expect(tab.Page.GetByTestId("kefu-message").Last).ToHaveAttributeAsync("data-role", "agent");
        await tab.Page.ScreenshotAsync(new() { Path = Path.Combine(directory, $"{prefix}-open.png") });

        // Layout basics: the window and the composer are inside the viewport; the last message is scrolled into view.
        var window = await tab.Page.GetByTestId("kefu-window").BoundingBoxAsync();
        Assert.NotNull(window);
        Assert.True(window!.X >= 0 && window.Y >= 0 && window.X + window.Width <= width + 0.5 && window.Y + window.Height <= height + 0.5, $"window {window.X},{window.Y} {window.Width}x{window.Height} overflows {width}x{height}");
        await Expect(tab.Input).ToBeInViewportAsync();
        await Expect(tab.SendButton).ToBeInViewportAsync();
        // The newest message, its time line included, is not cut off by the typing line (nor by the composer).
        var clipped = await tab.Page.GetByTestId("kefu-messages").EvaluateAsync<double>(
            "l => l.lastElementChild.getBoundingClientRect().bottom - l.getBoundingClientRect().bottom");
        Assert.True(clipped <= 1, $"the last message sticks out {clipped:F0} px below the visible list");

        // Closed again, then an agent writes: the launcher shows the unread badge.
        await tab.Page.GetByTestId("kefu-close").ClickAsync();
        await agent.TypingAsync(conv, false);
        await agent.SayAsync(conv, zh ? "包裹已发出！" : "Your parcel is on its way!");
        await Expect(tab.Page.GetByTestId("kefu-unread")).ToHaveTextAsync("1");
        await tab.Page.ScreenshotAsync(new() { Path = Path.Combine(directory, $"{prefix}-closed-unread.png") });

        foreach (var file in new[] { "closed", "open", "closed-unread" })
        {
            Assert.True(new FileInfo(Path.Combine(directory, $"{prefix}-{file}.png")).Length > 5000, file + " is empty");
        }
    }

    /// <summary>The closed conversation's card (issue 15 item 5): stars unrated (a star chosen, a comment typed), rated, and thumbs.</summary>
    [Theory]
    [InlineData("desktop", 1280, 800, false)]
    [InlineData("phone", 390, 844, true)]
    public async Task ChatPage(string device, int width, int height, bool mobile)
    {
        var context = await NewContextAsync(width, height, mobile);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/kefu/chat");
        var chat = new WidgetPage(page);
        await chat.LoadedAsync(openChat: false);
        await chat.WaitReadyAsync();
        await chat.SendAsync("Hello from the full-page chat");
        await using var agent = await AgentSession.ConnectAsync(Site, "bob", "Bob");
        await chat.ExpectNothingPendingAsync();
        await agent.SayAsync(await chat.ConversationAsync(), "Hi! How can we help?");
        await chat.ExpectMessageOnceAsync("Hi! How can we help?");
        await chat.ExpectNothingPendingAsync();
        var path = Path.Combine(Screenshots.Directory(), $"chat-page-{device}.png");
        await page.ScreenshotAsync(new() { Path = path });
        await Expect(chat.Input).ToBeInViewportAsync();
        Assert.True(new FileInfo(path).Length > 5000);
    }

    /// <summary>"New messages ↓" (issue 15 item 7): a message came while the visitor had scrolled up.</summary>
    [Theory]
    [InlineData("desktop", 1280, 800, false, "en")]
    [InlineData("phone", 390, 844, true, "zh-CN")]
    public async Task Widget_NewMessagesCue(string device, int width, int height, bool mobile, string lang)
    {
        var zh = lang == "zh-CN";
        var path = Path.Combine(Screenshots.Directory(), $"widget-{device}-{lang}-new-messages.png");
        var context = await NewContextAsync(width, height, mobile, zh ? "zh-CN" : "en-US");
        var tab = await WidgetPage.OpenAsync(context, SiteHost.PageUrl("home", lang: lang));
        await tab.WaitReadyAsync();
        var conv = await tab.ConversationAsync();
        await using var agent = await AgentSession.ConnectAsync(Site, "alice", zh ? "客服小李" : "Alice");
        await RoughEdgesTests.FillAsync(tab, agent, conv);
        await tab.Page.GetByTestId("kefu-messages").EvaluateAsync("l => l.scrollTop = 0");
        await agent.SayAsync(conv, zh ? "还在吗？" : "Are you still there?");
        await tab.ExpectMessageOnceAsync(zh ? "还在吗？" : "Are you still there?");
        await Expect(tab.Page.Locator(".cue")).ToHaveTextAsync(zh ? "有新消息 ↓" : "New messages ↓");
        await tab.Page.ScreenshotAsync(new() { Path = path });
        Assert.True(new FileInfo(path).Length > 5000);
    }
}
