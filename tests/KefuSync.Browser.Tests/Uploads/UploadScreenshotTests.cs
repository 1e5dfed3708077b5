using KefuSync.Browser.Tests.Infrastructure;
using Microsoft.Playwright;
using SkiaSharp;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests.Uploads;

/// <summary>
/// The file-sending states at desktop (1280×800) and phone (390×844) size, saved to <c>artifacts/screenshots/</c>
/// (copied to docs/screenshots): the paperclip and the tray with a preview, the progress bar of a slow upload (the
/// browser's upload throttled through the DevTools protocol, so the progress is the real XHR's), a refused file with
/// its limit, and the sent image in the log.
/// </summary>
public sealed class UploadScreenshotTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    private readonly string _files = Directory.CreateTempSubdirectory("kefu-upload-shots-").FullName;

    public static TheoryData<string, int, int, bool> Devices => new() { { "desktop", 1280, 800, false }, { "phone", 390, 844, true } };

    protected override SiteHostOptions SiteOptions() => new()
    {
        Configure = o =>
        {
            o.Attachments.StoragePath = _files;
            o.Attachments.MaxBytes = 5 * 1024 * 1024;
        },
    };

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(_files, recursive: true);
        }
        catch (IOException)
        {
            // a temp folder
        }
    }

    [Theory]
    [MemberData(nameof(Devices))]
    public async Task AttachPreviewProgressRefusedAndSent(string device, int width, int height, bool mobile)
    {
        var context = await NewContextAsync(width, height, mobile);
        var tab = await WidgetPage.OpenAsync(context, SiteHost.PageUrl("home", csp: true));
        await tab.WaitReadyAsync();
        await tab.SendAsync("The checkout page shows an error.");
        await tab.ExpectNothingPendingAsync();
        var dir = Screenshots.Directory();
        var attach = tab.Page.GetByTestId("kefu-attach");
        await Expect(attach).ToBeVisibleAsync();
        await Expect(attach).ToHaveAttributeAsync("aria-label", "Attach a file");

        // the tray: a screenshot with its preview, a PDF with name and size, and one refused with the limit stated
        await UploadTests.ChooseAsync(
            tab,
            new FilePayload { Name = "checkout-error.png", MimeType = "image/png", Buffer = Noise(900, 700) },
            new FilePayload { Name = "order-1042.pdf", MimeType = "application/pdf", Buffer = "%PDF-1.4 order"u8.ToArray() },
            new FilePayload { Name = "screen-recording.mp4", MimeType = "video/mp4", Buffer = new byte[6 * 1024 * 1024] });
        await Expect(tab.Page.GetByTestId("kefu-tray-item")).ToHaveCountAsync(3);
        await Expect(tab.Page.GetByTestId("kefu-tray-error")).ToHaveTextAsync("File too large (up to 5 MB)");
        await Eventually.TrueAsync(async () => await tab.Page.GetByTestId("kefu-preview").EvaluateAsync<int>("i => i.complete ? i.naturalWidth : 0") > 0, "the preview to load");
        await tab.Page.ScreenshotAsync(new() { Path = Path.Combine(dir, $"widget-upload-tray-{device}-{width}x{height}.png") });

        // a slow connection: the progress bar of the real upload
        var cdp = await context.NewCDPSessionAsync(tab.Page);
        await cdp.SendAsync("Network.enable");
        await Throttle(cdp, 60 * 1024);
        await tab.SendButton.ClickAsync();
        var bar = tab.Page.GetByTestId("kefu-upload-progress").First;
        await Expect(bar).ToBeVisibleAsync();
        await Eventually.TrueAsync(async () => await bar.EvaluateAsync<double>("p => p.value") > 0.15, "the upload to be under way", 30000);
        await tab.Page.ScreenshotAsync(new() { Path = Path.Combine(dir, $"widget-upload-progress-{device}-{width}x{height}.png") });
        await Throttle(cdp, -1);

        // sent: the image in the log, from the server's thumbnail
        var files = tab.Page.GetByTestId("kefu-file");
        await Expect(files).ToHaveCountAsync(2, new() { Timeout = 60000 });
        var thumb = files.First.GetByTestId("kefu-file-thumb");
        await Expect(thumb).ToBeVisibleAsync();
        await Eventually.TrueAsync(async () => await thumb.EvaluateAsync<int>("i => i.complete ? i.naturalWidth : 0") > 0, "the thumbnail to load");
        await tab.ExpectNothingPendingAsync();
        var sent = Path.Combine(dir, $"widget-upload-sent-{device}-{width}x{height}.png");
        await tab.Page.ScreenshotAsync(new() { Path = sent });
        Assert.True(new FileInfo(sent).Length > 5000);
    }

    private static Task Throttle(ICDPSession cdp, double uploadBytesPerSecond) =>
        cdp.SendAsync("Network.emulateNetworkConditions", new Dictionary<string, object>
        {
            ["offline"] = false,
            ["latency"] = 0,
            ["downloadThroughput"] = -1,
            ["uploadThroughput"] = uploadBytesPerSecond,
        });

    /// <summary>A photo-like PNG that does not compress (so it is large enough to watch it go up): bands and noise.</summary>
    private static byte[] Noise(int w, int h)
    {
        var random = new Random(14);
        using var bitmap = new SKBitmap(w, h);
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var n = random.Next(40);
                bitmap.SetPixel(x, y, new SKColor((byte)(200 + n / 2), (byte)(60 + (y * 120 / h) + n), (byte)(40 + (x * 100 / w) + n)));
            }
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
