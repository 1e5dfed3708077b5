using Microsoft.Playwright;
using static KefuSync.Browser.Tests.Console.ConsoleHelpers;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests.Console;

[Collection(ConsoleBrowserCollection.Name)]
public sealed class ConsoleScreenshotTests(ConsoleBrowserFixture browser)
{
    private static string ScreenshotDir()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "KefuSync.sln")))
        {
            dir = dir.Parent;
        }

        var root = dir?.FullName ?? Directory.GetCurrentDirectory();
        var path = Path.Combine(root, "artifacts", "screenshots");
        Directory.CreateDirectory(path);
        return path;
    }

    [Fact]
    public async Task Console_Screenshots_DesktopAndPhone()
    {
        await using var host = await ConsoleSiteHost.StartAsync();
        var visitor = await host.OpenVisitorAsync(browser.Browser, "/shop/home");
        await visitor.GetByRole(AriaRole.Link, new() { Name = "shoes" }).ClickAsync();
        await Expect(visitor.GetByTestId("kefu-launcher")).ToBeVisibleAsync();
        var key = await VisitorSaysAsync(visitor, "你好，这双跑鞋有 42 码吗？");
        var other = await host.OpenVisitorAsync(browser.Browser, "/shop/home");
        await VisitorSaysAsync(other, "Hi! Where is my order #1042? It was supposed to arrive yesterday.");

        var alice = await host.OpenConsoleAsync(browser.Browser, "alice");
        var bob = await host.OpenConsoleAsync(browser.Browser, "bob", locale: "zh-CN");
        await Expect(bob.GetByTestId("tab-inbox")).ToContainTextAsync("会话");
        await OpenConversationAsync(alice, key);
        await alice.GetByTestId("reply-input").FillAsync("您好！42 码有货，今天下单明天发货。");
        await alice.GetByTestId("reply-send").ClickAsync();
        await Expect(visitor.GetByTestId("kefu-message").Filter(new() { HasText = "42 码有货" })).ToBeVisibleAsync();
        await VisitorSaysAsync(visitor, "太好了，可以货到付款吗？");
        await visitor.GetByTestId("kefu-input").PressSequentiallyAsync("还有，退货");
        await OpenConversationAsync(bob, key);
        await bob.GetByTestId("reply-input").ClickAsync();
        await bob.GetByTestId("reply-input").PressSequentiallyAsync("可以的，");
        await alice.GetByTestId("notes-input").FillAsync("VIP 客户，上次订单 #981 已退款。");
        await Expect(alice.GetByTestId("draft-cursor")).ToHaveAttributeAsync("data-start", "4");
        await Expect(alice.GetByTestId("visitor-preview-text")).ToHaveTextAsync("还有，退货");
        await Expect(alice.GetByTestId("viewer")).ToHaveCountAsync(1);
        await Expect(bob.Locator("[data-testid=viewer][data-name=Alice]")).ToBeVisibleAsync();
        await Expect(bob.GetByTestId("notes-input")).ToHaveValueAsync("VIP 客户，上次订单 #981 已退款。"); // notes are co-edited

        var dir = ScreenshotDir();
        await alice.ScreenshotAsync(new() { Path = Path.Combine(dir, "console-desktop-1280x800.png") });

        await bob.ScreenshotAsync(new() { Path = Path.Combine(dir, "console-desktop-zh-CN-1280x800.png") });
        var phone = await host.OpenConsoleAsync(browser.Browser, "carol", 390, 844);
        await Expect(InboxItem(phone, key)).ToBeVisibleAsync();
        await phone.ScreenshotAsync(new() { Path = Path.Combine(dir, "console-phone-inbox-390x844.png") });
        await InboxItem(phone, key).ClickAsync();
        await Expect(phone.GetByTestId("back")).ToBeVisibleAsync();
        await Expect(phone.Locator("[data-testid=draft-cursor][data-name=Bob]")).ToHaveCountAsync(1);
        await phone.ScreenshotAsync(new() { Path = Path.Combine(dir, "console-phone-conversation-390x844.png") });
        await phone.GetByTestId("back").ClickAsync();
        await Expect(phone.GetByTestId("inbox")).ToBeVisibleAsync();
        await phone.GetByTestId("tab-visitors").ClickAsync();
        await Expect(phone.GetByTestId("visitor")).ToHaveCountAsync(2);
        await phone.ScreenshotAsync(new() { Path = Path.Combine(dir, "console-phone-visitors-390x844.png") });
        await alice.GetByTestId("aside-canned").ClickAsync();
        await alice.GetByTestId("canned-name").FillAsync("returns");
        await alice.GetByTestId("canned-add").ClickAsync();
        await alice.GetByTestId("canned-text").FillAsync("7 天无理由退货，运费由我们承担。");
        await alice.ScreenshotAsync(new() { Path = Path.Combine(dir, "console-desktop-canned-1280x800.png") });
        foreach (var f in new[] { "console-desktop-1280x800.png", "console-phone-inbox-390x844.png", "console-phone-conversation-390x844.png" })
        {
            Assert.True(new FileInfo(Path.Combine(dir, f)).Length > 10_000, f);
        }
    }
}
