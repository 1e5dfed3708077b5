using System.Text.Json;
using KefuSync.Browser.Tests.Infrastructure;
using Microsoft.Playwright;
using SkiaSharp;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests.Uploads;

/// <summary>
/// The visitor sends files (issue 14 items 1 and 2, docs/protocol.md §9.6): attach, paste and drop; a tray with a preview
/// until Send; the upload by whichever tab leads, exactly once across tabs, a closed tab and offline, in order with
/// the text sent after it; refusals with the limit stated. Every page runs under the strict CSP (nonce scripts only).
/// </summary>
public sealed class UploadTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    private readonly string _files = Directory.CreateTempSubdirectory("kefu-upload-tests-").FullName;

    protected override SiteHostOptions SiteOptions() => new()
    {
        Configure = o =>
        {
            o.Attachments.StoragePath = _files;
            o.Attachments.MaxBytes = 1024 * 1024;
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

    [Fact]
    public async Task PastedImage_AndDroppedFile_WaitInTheTray_ThenArriveAsFileMessages_InOrder()
    {
        var context = await NewContextAsync();
        var tab = await WidgetPage.OpenAsync(context, SiteHost.PageUrl("home", csp: true));
        await tab.WaitReadyAsync();
        var conv = await tab.ConversationAsync();

        // a screenshot pasted into the box, as Ctrl+V of an image gives it (a File in clipboardData)
        await tab.Input.EvaluateAsync(
            """
            (ta, b64) => {
              const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
              const dt = new DataTransfer();
              dt.items.add(new File([bytes], 'image.png', { type: 'image/png' }));
              ta.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
            }
            """,
            Convert.ToBase64String(Png(160, 100)));
        var tray = tab.Page.GetByTestId("kefu-tray");
        await Expect(tray.GetByTestId("kefu-tray-item")).ToHaveCountAsync(1);
        await Expect(tray.GetByTestId("kefu-preview")).ToBeVisibleAsync();
        await Expect(tab.Input).ToHaveValueAsync(""); // the image did not go into the text

        // a PDF dragged over the window: the drop target shows, and the drop adds it to the tray
        var panel = tab.Page.GetByTestId("kefu-window");
        var dataTransfer = await tab.Page.EvaluateHandleAsync(
            "() => { const dt = new DataTransfer(); dt.items.add(new File(['%PDF-1.4 invoice'], 'invoice.pdf', { type: 'application/pdf' })); return dt; }");
        await panel.DispatchEventAsync("dragenter", new Dictionary<string, object> { ["dataTransfer"] = dataTransfer });
        await panel.DispatchEventAsync("dragover", new Dictionary<string, object> { ["dataTransfer"] = dataTransfer });
        await Expect(panel).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bdrop\b"));
        await Expect(panel).ToHaveAttributeAsync("data-drop", "Drop files to send them");
        await panel.DispatchEventAsync("drop", new Dictionary<string, object> { ["dataTransfer"] = dataTransfer });
        await Expect(panel).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bdrop\b"));
        await Expect(tray.GetByTestId("kefu-tray-item")).ToHaveCountAsync(2);

        await tab.Input.FillAsync("both attached");
        await tab.SendButton.ClickAsync();
        await Expect(tray).ToBeHiddenAsync();
        var files = tab.Page.GetByTestId("kefu-file");
        await Expect(files).ToHaveCountAsync(2, new() { Timeout = 20000 });
        await Expect(files.Nth(0).GetByTestId("kefu-file-thumb")).ToBeVisibleAsync();
        await Expect(files.Nth(1).Locator(".fname")).ToHaveTextAsync("invoice.pdf");
        await tab.ExpectNothingPendingAsync();

        var stored = await StoredAsync(conv);
        Assert.Equal(["file:image.png", "file:invoice.pdf", "text:both attached"], stored.Select(m => m.Describe()));
        Assert.Equal("image/png", stored[0].Type);
        Assert.Equal("application/pdf", stored[1].Type);
    }

    [Fact]
    public async Task ThreeTabs_AllSeeTheUpload_ItIsStoredOnce()
    {
        var context = await NewContextAsync();
        var tabs = new List<WidgetPage>();
        foreach (var name in new[] { "one", "two", "three" })
        {
            tabs.Add(await WidgetPage.OpenAsync(context, SiteHost.PageUrl(name, csp: true)));
        }

        foreach (var t in tabs)
        {
            await t.WaitReadyAsync();
        }

        var conv = await tabs[0].ConversationAsync();
        var leaders = await Task.WhenAll(tabs.Select(t => t.IsLeaderAsync()));
        var follower = tabs[Array.IndexOf(leaders, false)];
        await ChooseAsync(follower, new FilePayload { Name = "size-chart.png", MimeType = "image/png", Buffer = Png(320, 200) });
        await follower.SendButton.ClickAsync();

        foreach (var t in tabs)
        {
            var file = t.Page.GetByTestId("kefu-file");
            await Expect(file).ToHaveCountAsync(1, new() { Timeout = 20000 });
            await Expect(file.Locator(".fname")).ToHaveTextAsync("size-chart.png");
            await Expect(file.GetByTestId("kefu-file-thumb")).ToBeVisibleAsync();
        }

        await follower.ExpectNothingPendingAsync();
        Assert.Equal(["file:size-chart.png"], (await StoredAsync(conv)).Select(m => m.Describe()));
        await AssertConsecutiveAsync(conv);
    }

    [Fact]
    public async Task LeaderTabClosedMidUpload_AnotherTabUploadsAgain_TheFileArrivesOnce_BeforeTheTextSentAfterIt()
    {
        var context = await NewContextAsync();
        var a = await WidgetPage.OpenAsync(context, SiteHost.PageUrl("one", csp: true));
        await a.WaitReadyAsync();
        var b = await WidgetPage.OpenAsync(context, SiteHost.PageUrl("two", csp: true));
        await b.WaitReadyAsync();
        var conv = await a.ConversationAsync();
        Assert.True(await a.IsLeaderAsync());

        // The leader's upload reaches the server (which stores it) but its answer never comes back: the tab is closed
        // while it waits, as a visitor closing a tab mid-upload.
        var reached = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        await a.Page.RouteAsync("**/kefu/files/**", async route =>
        {
            if (route.Request.Method != "POST")
            {
                await route.ContinueAsync();
                return;
            }

            var response = await route.FetchAsync();
            reached.TrySetResult(response.Status);
            // neither fulfilled nor continued: the page waits for an answer that never comes
        });
        var bAnswers = new List<int>();
        b.Page.Response += (_, r) =>
        {
            if (r.Request.Method == "POST" && r.Url.Contains("/kefu/files/", StringComparison.Ordinal) && !r.Url.Contains("/links", StringComparison.Ordinal))
            {
                lock (bAnswers)
                {
                    bAnswers.Add(r.Status);
                }
            }
        };

        await ChooseAsync(b, new FilePayload { Name = "receipt.pdf", MimeType = "application/pdf", Buffer = "%PDF-1.4 receipt"u8.ToArray() });
        await b.SendButton.ClickAsync();
        Assert.Equal(201, await reached.Task.WaitAsync(TimeSpan.FromSeconds(20))); // stored on the server, unanswered
        await b.SendAsync("sent after the file");
        await Expect(b.Page.GetByTestId("kefu-message").Last).ToHaveAttributeAsync("data-status", "sending");
        Assert.Empty(await StoredAsync(conv)); // nothing committed: the text waits behind the file

        await a.Page.CloseAsync(new() { RunBeforeUnload = true });
        await b.Page.WaitForFunctionAsync("() => window.KefuSync.client.isLeader", null, new() { Timeout = 20000 });
        await b.ExpectMessageOnceAsync("sent after the file", 30000);
        await Expect(b.Page.GetByTestId("kefu-file").Locator(".fname")).ToHaveTextAsync("receipt.pdf");
        await b.ExpectNothingPendingAsync();

        var stored = await StoredAsync(conv);
        Assert.Equal(["file:receipt.pdf", "text:sent after the file"], stored.Select(m => m.Describe()));
        lock (bAnswers)
        {
            Assert.Equal([200], bAnswers); // the same upload id: the server answered with the attachment it had
        }
    }

    [Fact]
    public async Task FileChosenOffline_IsSentBackOnline_OnceAndBeforeTheTextSentAfterIt()
    {
        var context = await NewContextAsync();
        var tab = await WidgetPage.OpenAsync(context, SiteHost.PageUrl("home", csp: true));
        await tab.WaitReadyAsync();
        var conv = await tab.ConversationAsync();

        // the network drops while the visitor picks the file (the chooser is open; kefu-upload.js came with the click)
        var chooser = await tab.Page.RunAndWaitForFileChooserAsync(() => tab.Page.GetByTestId("kefu-attach").ClickAsync());
        await Expect(tab.Page.GetByTestId("kefu-tray")).ToHaveCountAsync(1); // made by kefu-upload.js once it ran
        await context.SetOfflineAsync(true);
        await Expect(tab.Page.GetByTestId("kefu-status")).ToHaveAttributeAsync("data-conn", "offline");
        await chooser.SetFilesAsync(new FilePayload { Name = "broken-cart.png", MimeType = "image/png", Buffer = Png(200, 120) });
        await Expect(tab.Page.GetByTestId("kefu-tray-item")).ToHaveCountAsync(1);
        await tab.SendButton.ClickAsync();
        await tab.SendAsync("this is what I see");
        var items = tab.Page.GetByTestId("kefu-message");
        await Expect(items).ToHaveCountAsync(2);
        await Expect(items.Nth(0).GetByTestId("kefu-upload")).ToBeVisibleAsync();
        await Expect(items.Nth(0)).ToHaveAttributeAsync("data-status", "sending");
        // what a closing page would leave: both in IndexedDB, the file as a Blob
        await tab.Page.WaitForFunctionAsync("async () => { const all = await window.KefuSync.client.outbox.all(); return all.length === 2 && all[0].up.b instanceof Blob; }");

        await context.SetOfflineAsync(false);
        await tab.ExpectMessageOnceAsync("this is what I see", 30000);
        await Expect(tab.Page.GetByTestId("kefu-file").GetByTestId("kefu-file-thumb")).ToBeVisibleAsync();
        await tab.ExpectNothingPendingAsync();
        Assert.Equal(["file:broken-cart.png", "text:this is what I see"], (await StoredAsync(conv)).Select(m => m.Describe()));
        await AssertConsecutiveAsync(conv);
    }

    [Fact]
    public async Task OversizedFile_IsRefusedBeforeUploading_WithTheLimit_AndTheServersRefusalShowsInTheLog()
    {
        var context = await NewContextAsync();
        var tab = await WidgetPage.OpenAsync(context, SiteHost.PageUrl("home", csp: true));
        await tab.WaitReadyAsync();
        var conv = await tab.ConversationAsync();
        var posts = 0;
        tab.Page.Request += (_, r) =>
        {
            if (r.Method == "POST" && r.Url.Contains("/kefu/files/", StringComparison.Ordinal) && !r.Url.Contains("/links", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref posts);
            }
        };

        // 2 MB against a 1 MB limit: refused in the tray, never uploaded
        await ChooseAsync(tab, new FilePayload { Name = "holiday.jpg", MimeType = "image/jpeg", Buffer = new byte[2 * 1024 * 1024] });
        var error = tab.Page.GetByTestId("kefu-tray-error");
        await Expect(error).ToHaveTextAsync("File too large (up to 1 MB)");
        await tab.SendButton.ClickAsync();
        await Expect(tab.Page.GetByTestId("kefu-tray")).ToBeHiddenAsync();
        Assert.Equal(0, Volatile.Read(ref posts));

        // what only the server can tell: HTML named .txt is sniffed as text/html, not allowed (415): failed in the log
        await ChooseAsync(tab, new FilePayload { Name = "notes.txt", MimeType = "text/plain", Buffer = "<html><script>alert(1)</script>"u8.ToArray() });
        await tab.SendButton.ClickAsync();
        var failed = tab.Page.Locator("[data-testid=kefu-message][data-status=failed]");
        await Expect(failed).ToHaveCountAsync(1, new() { Timeout = 20000 });
        await Expect(failed.GetByTestId("kefu-fail-reason")).ToHaveTextAsync("This type of file can't be sent (PNG, JPEG, GIF, WEBP, PDF, ZIP, TXT)");
        await Expect(failed.GetByTestId("kefu-retry")).ToHaveCountAsync(0);
        Assert.Equal(1, Volatile.Read(ref posts));
        await failed.GetByTestId("kefu-discard").ClickAsync();
        await Expect(failed).ToHaveCountAsync(0);
        await tab.ExpectNothingPendingAsync();
        Assert.Empty(await StoredAsync(conv));
    }

    /// <summary>Chooses files through the paperclip and the browser's file chooser, as a visitor does.</summary>
    internal static async Task ChooseAsync(WidgetPage tab, params FilePayload[] files)
    {
        var chooser = await tab.Page.RunAndWaitForFileChooserAsync(() => tab.Page.GetByTestId("kefu-attach").ClickAsync());
        await chooser.SetFilesAsync(files);
    }

    /// <summary>The chat messages committed to a conversation, text or file, in revision order, from the store.</summary>
    private async Task<IReadOnlyList<StoredItem>> StoredAsync(string conv)
    {
        var list = new List<StoredItem>();
        foreach (var op in await Site.ReadChannelAsync("conv:" + conv))
        {
            using var json = JsonDocument.Parse(op.Payload);
            var root = json.RootElement;
            if (root.GetProperty("k").GetString() != "msg")
            {
                continue;
            }

            if (root.TryGetProperty("att", out var att))
            {
                list.Add(new StoredItem(op.ClientOpId, att.GetProperty("name").GetString()!, att.GetProperty("type").GetString()!, IsFile: true));
            }
            else
            {
                list.Add(new StoredItem(op.ClientOpId, root.GetProperty("text").GetString()!, "", IsFile: false));
            }
        }

        return list;
    }

    /// <summary>A w × h PNG with a few shapes, made in code (the server decodes and re-encodes it).</summary>
    internal static byte[] Png(int w, int h)
    {
        using var bitmap = new SKBitmap(w, h);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor(0xE8, 0xF0, 0xFE));
            using var paint = new SKPaint { Color = new SKColor(0x1F, 0x6F, 0xEB) };
            canvas.DrawRect(w * 0.06f, h * 0.1f, w * 0.4f, h * 0.8f, paint);
            paint.Color = new SKColor(0xF0, 0x88, 0x3E);
            canvas.DrawCircle(w * 0.72f, h * 0.5f, Math.Min(w, h) * 0.3f, paint);
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private sealed record StoredItem(string ClientOpId, string Value, string Type, bool IsFile)
    {
        public string Describe() => (IsFile ? "file:" : "text:") + Value;
    }
}
