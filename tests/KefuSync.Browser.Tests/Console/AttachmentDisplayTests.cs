using KefuSync.Browser.Tests.Infrastructure;
using Microsoft.Playwright;
using SkiaSharp;
using static KefuSync.Browser.Tests.Console.ConsoleHelpers;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests.Console;

/// <summary>
/// A file an agent (or bot, or server code) sends is shown to the visitor and in the console: the chip with the name,
/// the size and a thumbnail loaded from the signed link (issue 14 follow-up). Before this, the widget dropped every
/// `msg` without a text string, so the file was invisible.
/// </summary>
[Collection(ConsoleBrowserCollection.Name)]
public sealed class AttachmentDisplayTests(ConsoleBrowserFixture browser)
{
    [Fact]
    public async Task FilePostedByServerCode_ShowsAsChipWithThumbnail_InWidgetAndConsole_TextStillRenders()
    {
        await using var host = await ConsoleSiteHost.StartAsync();
        var visitor = await host.OpenVisitorAsync(browser.Browser);
        var key = await VisitorSaysAsync(visitor, "Can you send me the size chart?");

        using var png = new MemoryStream(SmallPng());
        var posted = await host.Kefu.PostFileAsync(key, png, "size-chart <b>.png", new KefuSender("agent:alice", "Alice"), clientOpId: "file-1");
        Assert.True(posted.Revision > 0);
        await host.Kefu.PostMessageAsync(key, "Here you go.", new KefuSender("agent:alice", "Alice"), "text-1");

        var chip = visitor.GetByTestId("kefu-file");
        await Expect(chip.Locator(".fname")).ToHaveTextAsync("size-chart <b>.png"); // text, not markup
        await Expect(chip.GetByTestId("kefu-file-size")).ToContainTextAsync("B");
        var thumb = chip.GetByTestId("kefu-file-thumb");
        await Expect(thumb).ToBeVisibleAsync();
        await Eventually.TrueAsync(async () => await thumb.EvaluateAsync<int>("i => i.complete ? i.naturalWidth : 0") > 0, "the widget thumbnail loads");
        await Expect(visitor.GetByTestId("kefu-message").Filter(new() { HasText = "Here you go." })).ToBeVisibleAsync();
        await Expect(visitor.GetByTestId("kefu-message").Filter(new() { HasText = "size chart?" })).ToBeVisibleAsync();

        var alice = await host.OpenConsoleAsync(browser.Browser, "alice");
        await OpenConversationAsync(alice, key);
        var cchip = alice.GetByTestId("file");
        await Expect(cchip.Locator(".fname")).ToHaveTextAsync("size-chart <b>.png");
        var cthumb = cchip.GetByTestId("file-thumb");
        await Expect(cthumb).ToBeVisibleAsync();
        await Eventually.TrueAsync(async () => await cthumb.EvaluateAsync<int>("i => i.complete ? i.naturalWidth : 0") > 0, "the console thumbnail loads");
        await Expect(Messages(alice).Filter(new() { HasText = "Here you go." })).ToBeVisibleAsync();

        var dir = ScreenshotDir();
        await visitor.SetViewportSizeAsync(1280, 800);
        await visitor.ScreenshotAsync(new() { Path = Path.Combine(dir, "widget-file-desktop-1280x800.png") });
        await visitor.SetViewportSizeAsync(390, 844);
        await visitor.ScreenshotAsync(new() { Path = Path.Combine(dir, "widget-file-phone-390x844.png") });
        await alice.ScreenshotAsync(new() { Path = Path.Combine(dir, "console-file-1280x800.png") });
    }

    /// <summary>A 160 × 100 PNG with a few shapes, made in code (the server decodes and re-encodes it).</summary>
    private static byte[] SmallPng()
    {
        using var bitmap = new SKBitmap(160, 100);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor(0xE8, 0xF0, 0xFE));
            using var paint = new SKPaint { Color = new SKColor(0x1F, 0x6F, 0xEB) };
            canvas.DrawRect(10, 10, 60, 80, paint);
            paint.Color = new SKColor(0xF0, 0x88, 0x3E);
            canvas.DrawCircle(115, 50, 30, paint);
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static string ScreenshotDir()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "KefuSync.sln")))
        {
            dir = dir.Parent;
        }

        var path = Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "artifacts", "screenshots");
        Directory.CreateDirectory(path);
        return path;
    }
}
