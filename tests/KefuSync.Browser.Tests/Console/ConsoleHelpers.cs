using Microsoft.Playwright;

namespace KefuSync.Browser.Tests.Console;

internal static class ConsoleHelpers
{
    /// <summary>The visitor opens the widget and sends a message; returns their conversation key (from the widget's client).</summary>
    public static async Task<string> VisitorSaysAsync(IPage visitor, string text)
    {
        if (!await visitor.GetByTestId("kefu-window").IsVisibleAsync())
        {
            await visitor.GetByTestId("kefu-launcher").ClickAsync();
        }

        await visitor.GetByTestId("kefu-input").FillAsync(text);
        await visitor.GetByTestId("kefu-input").PressAsync("Enter");
        await Assertions.Expect(visitor.GetByTestId("kefu-message").Filter(new() { HasText = text })).ToBeVisibleAsync();
        return await ConversationKeyAsync(visitor);
    }

    public static async Task<string> ConversationKeyAsync(IPage visitor)
    {
        var key = await visitor.EvaluateAsync<string?>("() => window.KefuSync?.client.welcome?.conv ?? null");
        for (var i = 0; i < 100 && key is null; i++)
        {
            await Task.Delay(100);
            key = await visitor.EvaluateAsync<string?>("() => window.KefuSync?.client.welcome?.conv ?? null");
        }

        Assert.NotNull(key);
        return key!;
    }

    public static ILocator InboxItem(IPage console, string key) => console.Locator($"[data-testid=inbox-item][data-key='{key}']");

    /// <summary>Opens a conversation in the console from the inbox.</summary>
    public static async Task OpenConversationAsync(IPage console, string key)
    {
        await Assertions.Expect(InboxItem(console, key)).ToBeVisibleAsync();
        await InboxItem(console, key).ClickAsync();
        await Assertions.Expect(console.Locator($"[data-testid=conversation][data-key='{key}']")).ToBeVisibleAsync();
    }

    public static ILocator Messages(IPage console) => console.GetByTestId("messages").GetByTestId("message");

    public static Task<string> DraftAsync(IPage console) => console.GetByTestId("reply-input").InputValueAsync();

    /// <summary>artifacts/screenshots at the repository's root (beside KefuSync.sln), created when missing.</summary>
    public static string ScreenshotDir()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "KefuSync.sln")))
        {
            dir = dir.Parent;
        }

        var path = Path.Combine(dir?.FullName ?? Directory.GetCurrentDirectory(), "artifacts", "screenshots");
        Directory.CreateDirectory(path);
        return path;
    }
}
