using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KefuSync.Browser.Tests.Infrastructure;
using Microsoft.Playwright;
using SkiaSharp;
using static KefuSync.Browser.Tests.Console.ConsoleHelpers;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests.Console;

/// <summary>
/// Files in the agent console (issue 14 item 3): the image viewer over a visitor's thumbnails (keyboard: Enter opens,
/// arrows step, Tab stays inside, Escape closes, focus returns), an agent attaching a file to the co-edited draft that
/// the visitor then downloads, and a canned reply carrying a file, copied into the conversation it is sent to.
/// Screenshots at 1280×800 and 390×844 go to artifacts/screenshots (copied to docs/screenshots).
/// </summary>
[Collection(ConsoleBrowserCollection.Name)]
public sealed class ConsoleFilesTests(ConsoleBrowserFixture browser)
{
    [Fact]
    public async Task AgentOpensTheVisitorsImages_InTheViewer_WithTheKeyboard_EscapeCloses_AndFocusReturns()
    {
        await using var host = await ConsoleSiteHost.StartAsync();
        var visitor = await host.OpenVisitorAsync(browser.Browser);
        var key = await VisitorSaysAsync(visitor, "The checkout shows an error, screenshots below");
        var first = await VisitorSendsFileAsync(visitor, key, Png(800, 500, new SKColor(0x1F, 0x6F, 0xEB)), "checkout-error.png", "up-a");
        var second = await VisitorSendsFileAsync(visitor, key, Png(400, 600, new SKColor(0xF0, 0x88, 0x3E)), "cart.png", "up-b");

        var alice = await host.OpenConsoleAsync(browser.Browser, "alice");
        await OpenConversationAsync(alice, key);
        var thumbs = alice.GetByTestId("messages").GetByTestId("file-thumb");
        await Expect(thumbs).ToHaveCountAsync(2);
        await Eventually.TrueAsync(async () => await thumbs.Nth(1).EvaluateAsync<int>("i => i.complete ? i.naturalWidth : 0") > 0, "the thumbnails load");

        // Keyboard: focus the first thumbnail's link, Enter opens the viewer on it, focus moves inside.
        var opener = alice.Locator($".file[data-att='{first}'] a");
        await opener.FocusAsync();
        await alice.Keyboard.PressAsync("Enter");
        var viewer = alice.GetByTestId("image-viewer");
        await Expect(viewer).ToBeVisibleAsync();
        await Expect(viewer).ToHaveAttributeAsync("data-att", first);
        await Expect(alice.GetByTestId("viewer-name")).ToHaveTextAsync("checkout-error.png");
        await Expect(alice.GetByTestId("viewer-count")).ToHaveTextAsync("1 of 2");
        Assert.True(await FocusInViewerAsync(alice), "focus moved into the viewer");
        var image = alice.GetByTestId("viewer-image");
        await Eventually.TrueAsync(async () => await image.EvaluateAsync<int>("i => i.complete ? i.naturalWidth : 0") == 800, "the full image (not the thumbnail) loads from its signed URL");
        var src = await image.GetAttributeAsync("src");
        Assert.Contains($"/kefu/files/{key}/{first}?t=", src);

        // The download link: the same signed URL, served as an attachment with the safety headers (§9.5).
        var href = await alice.GetByTestId("viewer-download").GetAttributeAsync("href");
        Assert.Contains("dl=1", href);
        var dl = await alice.Context.APIRequest.GetAsync(href!);
        Assert.Equal(200, dl.Status);
        Assert.StartsWith("attachment", dl.Headers["content-disposition"]);
        Assert.Contains("checkout-error.png", dl.Headers["content-disposition"]);
        Assert.Equal("nosniff", dl.Headers["x-content-type-options"]);
        Assert.Equal("default-src 'none'; sandbox", dl.Headers["content-security-policy"]);
        Assert.Equal("image/png", dl.Headers["content-type"]);

        // Arrows step through the conversation's images, both ways, wrapping.
        await alice.Keyboard.PressAsync("ArrowRight");
        await Expect(viewer).ToHaveAttributeAsync("data-att", second);
        await Expect(alice.GetByTestId("viewer-name")).ToHaveTextAsync("cart.png");
        await Expect(alice.GetByTestId("viewer-count")).ToHaveTextAsync("2 of 2");
        await alice.Keyboard.PressAsync("ArrowRight");
        await Expect(viewer).ToHaveAttributeAsync("data-att", first);
        await alice.Keyboard.PressAsync("ArrowLeft");
        await Expect(viewer).ToHaveAttributeAsync("data-att", second);

        // Tab and Shift+Tab stay inside the dialog.
        for (var i = 0; i < 6; i++)
        {
            await alice.Keyboard.PressAsync(i % 2 == 0 ? "Tab" : "Shift+Tab");
            await alice.Keyboard.PressAsync("Tab");
            Assert.True(await FocusInViewerAsync(alice), $"focus left the viewer after Tab {i}");
        }

        var dir = ScreenshotDir();
        await alice.ScreenshotAsync(new() { Path = Path.Combine(dir, "console-viewer-desktop-1280x800.png") });

        // Escape closes the viewer (and only the viewer: the conversation stays open); focus is back on the thumbnail.
        await alice.Keyboard.PressAsync("Escape");
        await Expect(viewer).ToBeHiddenAsync();
        await Expect(alice.Locator($"[data-testid=conversation][data-key='{key}']")).ToBeVisibleAsync();
        Assert.True(await opener.EvaluateAsync<bool>("a => document.activeElement === a"), "focus returned to the thumbnail that opened the viewer");

        // A click opens it too, and the close button closes it.
        await alice.Locator($".file[data-att='{second}'] a").ClickAsync();
        await Expect(viewer).ToHaveAttributeAsync("data-att", second);
        await alice.GetByTestId("viewer-close").ClickAsync();
        await Expect(viewer).ToBeHiddenAsync();

        await alice.SetViewportSizeAsync(390, 844);
        await alice.Locator($".file[data-att='{first}'] a").ClickAsync();
        await Expect(viewer).ToBeVisibleAsync();
        await Eventually.TrueAsync(async () => await image.EvaluateAsync<int>("i => i.complete ? i.naturalWidth : 0") == 800, "the image loads at phone size");
        await alice.ScreenshotAsync(new() { Path = Path.Combine(dir, "console-viewer-phone-390x844.png") });
    }

    [Fact]
    public async Task AgentAttachesAFile_AnotherAgentSendsTheDraft_TheVisitorSeesItOnce_AndDownloadsIt()
    {
        await using var host = await ConsoleSiteHost.StartAsync();
        var visitor = await host.OpenVisitorAsync(browser.Browser);
        var key = await VisitorSaysAsync(visitor, "Could you send me the invoice?");
        var alice = await host.OpenConsoleAsync(browser.Browser, "alice");
        var bob = await host.OpenConsoleAsync(browser.Browser, "bob");
        await OpenConversationAsync(alice, key);
        await OpenConversationAsync(bob, key);

        // A type the server refuses: the error says so, with the allowed types, and nothing is attached.
        await alice.GetByTestId("attach-input").SetInputFilesAsync(new FilePayload { Name = "page.png", MimeType = "image/png", Buffer = Encoding.UTF8.GetBytes("<!DOCTYPE html><html><script>alert(1)</script></html>") });
        var error = alice.GetByTestId("draft-file-error");
        await Expect(error).ToHaveAttributeAsync("data-code", "type_not_allowed");
        await Expect(error).ToContainTextAsync("image/png");
        await alice.GetByTestId("draft-file-dismiss").ClickAsync();
        await Expect(alice.GetByTestId("draft-file")).ToHaveCountAsync(0);

        // A slow upload shows its progress (the network is throttled only to see it; nothing waits on a time).
        var cdp = await alice.Context.NewCDPSessionAsync(alice);
        await cdp.SendAsync("Network.enable");
        await cdp.SendAsync("Network.emulateNetworkConditions", new Dictionary<string, object> { ["offline"] = false, ["latency"] = 0, ["downloadThroughput"] = -1, ["uploadThroughput"] = 60_000 });
        var pdf = Pdf(300_000);
        await alice.GetByTestId("attach-input").SetInputFilesAsync(new FilePayload { Name = "invoice-1042.pdf", MimeType = "application/pdf", Buffer = pdf });
        var uploading = alice.Locator("[data-testid=draft-file][data-state=uploading]");
        await Expect(uploading).ToBeVisibleAsync();
        await Expect(uploading.GetByTestId("draft-file-progress")).ToBeVisibleAsync();
        await alice.GetByTestId("reply-input").FillAsync("Here is your invoice.");
        await Eventually.TrueAsync(async () => await uploading.GetByTestId("draft-file-progress").EvaluateAsync<double>("p => p.value") >= 20, "the progress bar moves with the upload");
        await Expect(alice.GetByTestId("reply-send")).ToBeDisabledAsync(); // Send waits for this tab's upload
        var dir = ScreenshotDir();
        await alice.ScreenshotAsync(new() { Path = Path.Combine(dir, "console-attach-progress-desktop-1280x800.png") });
        await cdp.SendAsync("Network.emulateNetworkConditions", new Dictionary<string, object> { ["offline"] = false, ["latency"] = 0, ["downloadThroughput"] = -1, ["uploadThroughput"] = -1 });

        // Once stored, the file is part of the shared draft: the other agent sees it, and may send it.
        var ready = alice.Locator("[data-testid=draft-file][data-state=ready]");
        await Expect(ready).ToContainTextAsync("invoice-1042.pdf", new() { Timeout = 60_000 });
        await Expect(bob.Locator("[data-testid=draft-file][data-state=ready]")).ToContainTextAsync("invoice-1042.pdf");
        await Expect(bob.GetByTestId("reply-input")).ToHaveValueAsync("Here is your invoice.");
        await bob.GetByTestId("reply-send").ClickAsync();

        // Both drafts empty; one message with the file and the text, in both consoles and in the widget.
        await Expect(alice.GetByTestId("draft-file")).ToHaveCountAsync(0);
        await Expect(bob.GetByTestId("draft-file")).ToHaveCountAsync(0);
        await Expect(alice.GetByTestId("reply-input")).ToHaveValueAsync("");
        await Expect(Messages(alice).Filter(new() { HasText = "Here is your invoice." })).ToHaveCountAsync(1);
        await Expect(alice.GetByTestId("messages").GetByTestId("file")).ToHaveCountAsync(1);
        var chip = visitor.GetByTestId("kefu-file");
        await Expect(chip).ToHaveCountAsync(1);
        await Expect(chip.Locator(".fname")).ToHaveTextAsync("invoice-1042.pdf");
        await Expect(visitor.GetByTestId("kefu-message").Filter(new() { HasText = "Here is your invoice." })).ToBeVisibleAsync();

        // The visitor downloads it: the bytes the agent chose, served as a download with the safety headers.
        var link = chip.GetByTestId("kefu-file-link");
        var download = await visitor.RunAndWaitForDownloadAsync(() => link.ClickAsync());
        Assert.Equal("invoice-1042.pdf", download.SuggestedFilename);
        Assert.Equal(pdf, await File.ReadAllBytesAsync((await download.PathAsync())!));
        var response = await visitor.Context.APIRequest.GetAsync((await link.GetAttributeAsync("href"))!);
        Assert.Equal(200, response.Status);
        Assert.Equal("application/octet-stream", response.Headers["content-type"]);
        Assert.StartsWith("attachment", response.Headers["content-disposition"]);
        Assert.Equal("nosniff", response.Headers["x-content-type-options"]);
        Assert.Equal("default-src 'none'; sandbox", response.Headers["content-security-policy"]);
        Assert.Equal(pdf, await response.BodyAsync());

        // Exactly once: the message's op id is att:<attachment id>, whoever sends it.
        var att = await alice.GetByTestId("messages").GetByTestId("file").GetAttributeAsync("data-att");
        var ops = await host.Kefu.ReadAsync("conv:" + key, 0);
        var sent = Assert.Single(ops, o => Encoding.UTF8.GetString(o.Payload.Span).Contains("invoice-1042.pdf"));
        Assert.Equal("att:" + att, sent.ClientOpId);
        Assert.Equal("agent:bob", sent.Author);
        Assert.Contains("Here is your invoice.", Encoding.UTF8.GetString(sent.Payload.Span));

        // Phone size: an agent's preview of an image still uploading.
        await alice.SetViewportSizeAsync(390, 844);
        await cdp.SendAsync("Network.emulateNetworkConditions", new Dictionary<string, object> { ["offline"] = false, ["latency"] = 0, ["downloadThroughput"] = -1, ["uploadThroughput"] = 60_000 });
        await alice.GetByTestId("attach-input").SetInputFilesAsync(new FilePayload { Name = "return-label.pdf", MimeType = "application/pdf", Buffer = Pdf(300_000) });
        await Expect(alice.Locator("[data-testid=draft-file][data-state=uploading]")).ToBeVisibleAsync();
        await Eventually.TrueAsync(async () => await alice.GetByTestId("draft-file-progress").EvaluateAsync<double>("p => p.value") >= 20, "the progress bar moves at phone size");
        await alice.ScreenshotAsync(new() { Path = Path.Combine(dir, "console-attach-progress-phone-390x844.png") });
        await cdp.SendAsync("Network.emulateNetworkConditions", new Dictionary<string, object> { ["offline"] = false, ["latency"] = 0, ["downloadThroughput"] = -1, ["uploadThroughput"] = -1 });
        await Expect(alice.Locator("[data-testid=draft-file][data-state=ready]")).ToContainTextAsync("return-label.pdf", new() { Timeout = 60_000 });
    }

    [Fact]
    public async Task AScreenshotPasted_AndAFileDropped_AreAttachedToTheDraft_AndSentInThatOrder_WithoutText()
    {
        await using var host = await ConsoleSiteHost.StartAsync();
        var visitor = await host.OpenVisitorAsync(browser.Browser);
        var key = await VisitorSaysAsync(visitor, "What do I need to sign?");
        var alice = await host.OpenConsoleAsync(browser.Browser, "alice");
        await OpenConversationAsync(alice, key);

        // A paste carrying an image file (as a screenshot from the clipboard does) attaches it, with its thumbnail.
        await alice.GetByTestId("reply-input").EvaluateAsync(
            """
            (ta, b64) => {
              const dt = new DataTransfer();
              dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'image.png', { type: 'image/png' }));
              ta.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
            }
            """,
            Convert.ToBase64String(Png(320, 200, new SKColor(0x7C, 0x3A, 0xED))));
        var ready = alice.Locator("[data-testid=draft-file][data-state=ready]");
        await Expect(ready).ToContainTextAsync("image.png");
        var thumb = ready.GetByTestId("draft-file-thumb");
        await Eventually.TrueAsync(async () => await thumb.EvaluateAsync<int>("i => i.complete ? i.naturalWidth : 0") > 0, "the pasted image's thumbnail loads");

        // A file dropped on the reply form is attached after it.
        await alice.GetByTestId("reply-form").EvaluateAsync(
            """
            (form, b64) => {
              const dt = new DataTransfer();
              dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'terms.pdf', { type: 'application/pdf' }));
              form.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
              form.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
            }
            """,
            Convert.ToBase64String(Pdf(2000)));
        await Expect(ready).ToHaveCountAsync(2);
        await Expect(ready.Nth(1)).ToContainTextAsync("terms.pdf");

        // Enter with no text sends the files alone, one message each, in the order attached.
        await alice.GetByTestId("reply-input").PressAsync("Enter");
        var chips = visitor.GetByTestId("kefu-file");
        await Expect(chips).ToHaveCountAsync(2);
        await Expect(chips.Nth(0).Locator(".fname")).ToHaveTextAsync("image.png");
        await Expect(chips.Nth(1).Locator(".fname")).ToHaveTextAsync("terms.pdf");
        await Expect(alice.GetByTestId("draft-file")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task CannedReplyWithAFile_SentToAVisitor_WhoDownloadsIt_WhileAnotherVisitorGets404()
    {
        await using var host = await ConsoleSiteHost.StartAsync();
        var visitor = await host.OpenVisitorAsync(browser.Browser);
        var key = await VisitorSaysAsync(visitor, "Which size should I take?");
        var stranger = await host.OpenVisitorAsync(browser.Browser);
        await VisitorSaysAsync(stranger, "Hello, I have another question");
        var alice = await host.OpenConsoleAsync(browser.Browser, "alice");

        var chart = Png(640, 400, new SKColor(0x16, 0xA3, 0x4A));
        await alice.GetByTestId("aside-canned").ClickAsync();
        await alice.GetByTestId("canned-name").FillAsync("sizes");
        await alice.GetByTestId("canned-add").ClickAsync();
        await alice.GetByTestId("canned-text").FillAsync("Here is our size chart: most people take their usual size.");
        await alice.GetByTestId("canned-attach-input").SetInputFilesAsync(new FilePayload { Name = "size-chart.png", MimeType = "image/png", Buffer = chart });
        await Expect(alice.GetByTestId("canned-file-item")).ToContainTextAsync("size-chart.png");
        await Expect(alice.Locator("[data-testid=canned-item][data-name=sizes]").GetByTestId("canned-item-file")).ToContainTextAsync("size-chart.png");
        var cannedId = await alice.GetByTestId("canned-file-item").GetAttributeAsync("data-att");
        Assert.Contains("size-chart.png", (await host.Kefu.GetDocumentAsync("canned:_files")).Text);

        await OpenConversationAsync(alice, key);
        var dir = ScreenshotDir();
        await alice.ScreenshotAsync(new() { Path = Path.Combine(dir, "console-canned-file-desktop-1280x800.png") });

        // /sizes + Tab: the text goes into the draft, and the file is copied into this conversation and attached.
        await alice.GetByTestId("reply-input").FillAsync("/sizes");
        await alice.GetByTestId("reply-input").PressAsync("Tab");
        await Expect(alice.GetByTestId("reply-input")).ToHaveValueAsync("Here is our size chart: most people take their usual size.");
        var attached = alice.Locator("[data-testid=draft-file][data-state=ready]");
        await Expect(attached).ToContainTextAsync("size-chart.png");
        var copyId = await attached.GetAttributeAsync("data-att");
        Assert.NotEqual(cannedId, copyId); // a file of the conversation, not the canned original
        await alice.SetViewportSizeAsync(390, 844);
        await alice.ScreenshotAsync(new() { Path = Path.Combine(dir, "console-canned-file-phone-390x844.png") });
        await alice.SetViewportSizeAsync(1280, 800);
        await alice.GetByTestId("reply-input").PressAsync("Enter");

        var chip = visitor.GetByTestId("kefu-file");
        await Expect(chip.Locator(".fname")).ToHaveTextAsync("size-chart.png");
        await Expect(visitor.GetByTestId("kefu-message").Filter(new() { HasText = "most people take their usual size" })).ToBeVisibleAsync();
        var thumb = chip.GetByTestId("kefu-file-thumb");
        await Eventually.TrueAsync(async () => await thumb.EvaluateAsync<int>("i => i.complete ? i.naturalWidth : 0") > 0, "the visitor's thumbnail loads");

        // The visitor downloads it with their own token: the canned file's pixels, served safely.
        var token = await TokenAsync(visitor);
        var mine = await visitor.Context.APIRequest.GetAsync($"/kefu/files/{key}/{copyId}?dl=1", new() { Headers = new Dictionary<string, string> { ["X-Kefu-Token"] = token } });
        Assert.Equal(200, mine.Status);
        Assert.Equal("image/png", mine.Headers["content-type"]);
        Assert.StartsWith("attachment", mine.Headers["content-disposition"]);
        Assert.Equal("nosniff", mine.Headers["x-content-type-options"]);
        using (var decoded = SKBitmap.Decode(await mine.BodyAsync()))
        {
            Assert.Equal((640, 400), (decoded.Width, decoded.Height));
        }

        // Another visitor, with the exact URL and their own token, gets 404; the canned original is nobody's but agents'.
        var strangerToken = await TokenAsync(stranger);
        var foreign = await stranger.Context.APIRequest.GetAsync($"/kefu/files/{key}/{copyId}", new() { Headers = new Dictionary<string, string> { ["X-Kefu-Token"] = strangerToken } });
        Assert.Equal(404, foreign.Status);
        var original = await visitor.Context.APIRequest.GetAsync($"/kefu/files/_canned/{cannedId}", new() { Headers = new Dictionary<string, string> { ["X-Kefu-Token"] = token } });
        Assert.Equal(404, original.Status);
        var links = await stranger.Context.APIRequest.PostAsync($"/kefu/files/{key}/links", new() { Headers = new Dictionary<string, string> { ["X-Kefu-Token"] = strangerToken, ["Content-Type"] = "application/json" }, Data = JsonSerializer.Serialize(new { ids = new[] { copyId } }) });
        Assert.Equal("{\"links\":{}}", await links.TextAsync());
    }

    /// <summary>The visitor uploads a file with their token and sends it as a `msg` through their own client; returns the attachment id.</summary>
    private static async Task<string> VisitorSendsFileAsync(IPage visitor, string key, byte[] bytes, string name, string uploadId)
    {
        var id = await visitor.EvaluateAsync<string>(
            """
            async ([key, b64, name, up]) => {
              const token = localStorage.getItem('kefu:token:/kefu') || window.KefuSync.client.welcome.token;
              const body = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
              const r = await fetch(`/kefu/files/${key}?id=${up}&name=${encodeURIComponent(name)}`, { method: 'POST', headers: { 'X-Kefu-Token': token }, body });
              if (!r.ok) throw new Error('upload ' + r.status + ' ' + await r.text());
              const meta = await r.json();
              await window.KefuSync.client.submit('conv:' + key, { k: 'msg', att: { id: meta.id } }, 0);
              return meta.id;
            }
            """,
            new object[] { key, Convert.ToBase64String(bytes), name, uploadId });
        await Expect(visitor.Locator($"[data-testid=kefu-file] .fname").Filter(new() { HasText = name })).ToBeVisibleAsync();
        return id;
    }

    private static async Task<string> TokenAsync(IPage visitor)
        => await visitor.EvaluateAsync<string>("() => localStorage.getItem('kefu:token:/kefu') || window.KefuSync.client.welcome.token");

    private static Task<bool> FocusInViewerAsync(IPage page)
        => page.EvaluateAsync<bool>("() => !!document.activeElement?.closest('[data-testid=image-viewer]')");

    private static byte[] Png(int w, int h, SKColor color)
    {
        using var bitmap = new SKBitmap(w, h);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor(0xF8, 0xFA, 0xFC));
            using var paint = new SKPaint { Color = color };
            canvas.DrawRect(w * 0.1f, h * 0.1f, w * 0.5f, h * 0.3f, paint);
            canvas.DrawCircle(w * 0.7f, h * 0.65f, Math.Min(w, h) * 0.2f, paint);
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>A PDF-signed file of about <paramref name="size"/> bytes (only the first bytes decide the type, §9.2).</summary>
    private static byte[] Pdf(int size)
    {
        var head = Encoding.ASCII.GetBytes("%PDF-1.4\n% KefuSync test invoice\n");
        var bytes = new byte[size];
        RandomNumberGenerator.Fill(bytes);
        head.CopyTo(bytes, 0);
        return bytes;
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
