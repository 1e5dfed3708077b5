using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static KefuSync.Browser.Tests.Console.ConsoleHelpers;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests.Console;

/// <summary>
/// Generated visitor names in the console's language (issue 15): an anonymous visitor the server named "Visitor 4ce1"
/// is "访客 4ce1" in a zh-CN console (inbox row, conversation header, visitors list), from the summary's and the
/// presence entry's generated-name tag; a name a host signed ("Visitor Bob") stays as it is in every language.
/// </summary>
[Collection(ConsoleBrowserCollection.Name)]
public sealed partial class ConsoleGeneratedNameTests(ConsoleBrowserFixture browser)
{
    [Fact]
    public async Task ZhCnConsole_ShowsGeneratedNamesInChinese_AndHostNamesAsTheyAre()
    {
        await using var host = await ConsoleSiteHost.StartAsync();
        var anonymous = await host.OpenVisitorAsync(browser.Browser, "/shop/home");
        var anonKey = await VisitorSaysAsync(anonymous, "你好，有 42 码吗？");
        var named = await host.OpenVisitorAsync(browser.Browser, "/shop/home?visitor=bob&name=Visitor%20Bob");
        var bobKey = await VisitorSaysAsync(named, "Hello, it's Bob.");

        var en = await host.OpenConsoleAsync(browser.Browser, "alice");
        var zh = await host.OpenConsoleAsync(browser.Browser, "li", locale: "zh-CN");
        var enName = InboxItem(en, anonKey).GetByTestId("inbox-name");
        await Expect(enName).ToHaveTextAsync(EnglishGenerated());
        var tag = (await enName.TextContentAsync())!["Visitor ".Length..];
        var chinese = "访客 " + tag;

        await Expect(InboxItem(zh, anonKey).GetByTestId("inbox-name")).ToHaveTextAsync(chinese);
        await Expect(InboxItem(zh, bobKey).GetByTestId("inbox-name")).ToHaveTextAsync("Visitor Bob");
        await Expect(InboxItem(en, bobKey).GetByTestId("inbox-name")).ToHaveTextAsync("Visitor Bob");

        var dir = ScreenshotDir();
        await zh.ScreenshotAsync(new() { Path = Path.Combine(dir, "console-generated-names-zh-CN-1280x800.png") });

        await OpenConversationAsync(zh, anonKey);
        await Expect(zh.GetByTestId("conv-title")).ToHaveTextAsync(chinese);
        await Expect(zh.GetByTestId("visitor-name")).ToHaveTextAsync(chinese);
        await OpenConversationAsync(zh, bobKey);
        await Expect(zh.GetByTestId("conv-title")).ToHaveTextAsync("Visitor Bob");

        // The visitors list (live presence): the same names.
        await zh.GetByTestId("tab-visitors").ClickAsync();
        await Expect(zh.Locator($"[data-testid=visitor][data-conv='{anonKey}'] [data-testid=visitor-row-name]")).ToHaveTextAsync(chinese);
        await Expect(zh.Locator($"[data-testid=visitor][data-conv='{bobKey}'] [data-testid=visitor-row-name]")).ToHaveTextAsync("Visitor Bob");

        var phone = await host.OpenConsoleAsync(browser.Browser, "wang", 390, 844, locale: "zh-CN");
        await Expect(InboxItem(phone, anonKey).GetByTestId("inbox-name")).ToHaveTextAsync(chinese);
        await phone.ScreenshotAsync(new() { Path = Path.Combine(dir, "console-generated-names-zh-CN-390x844.png") });
        Assert.True(new FileInfo(Path.Combine(dir, "console-generated-names-zh-CN-1280x800.png")).Length > 10_000);
    }

    [GeneratedRegex("^Visitor [0-9a-f]{4}$")]
    private static partial Regex EnglishGenerated();

    private static string ScreenshotDir()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "KefuSync.sln")))
        {
            dir = dir.Parent;
        }

        return Directory.CreateDirectory(Path.Combine(dir?.FullName ?? Directory.GetCurrentDirectory(), "artifacts", "screenshots")).FullName;
    }
}
