using System.Net;
using System.Text;
using System.Text.Json;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Stores;
using KefuSync.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using SkiaSharp;

namespace KefuSync.Integration.Tests.Attachments;

/// <summary>
/// The attachment endpoints of docs/protocol.md §9 over a real host with the embedded file-system blob store: uploads,
/// repeats, images re-encoded, downloads served safely, and every refusal with its documented error.
/// </summary>
public sealed class AttachmentEndpointTests : IAsyncLifetime
{
    private readonly string _files = Path.Combine(Path.GetTempPath(), "kefu-att-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly List<KefuTestHost> _hosts = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        if (Directory.Exists(_files))
        {
            Directory.Delete(_files, recursive: true);
        }
    }

    [Fact]
    public async Task Upload_OfAPng_ReturnsItsMetadata_AndARepeatReturnsTheSameAttachment_StoredOnce()
    {
        var host = await StartAsync();
        var visitor = AttachmentClient.Visitor(host);
        var png = TestFiles.Png(640, 360);
        using var first = await visitor.UploadAsync(png, "up-1", "screenshot.png");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var meta = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(22, meta.GetProperty("id").GetString()!.Length);
        Assert.Equal("screenshot.png", meta.GetProperty("name").GetString());
        Assert.Equal("image/png", meta.GetProperty("type").GetString());
        Assert.Equal(640, meta.GetProperty("w").GetInt32());
        Assert.Equal(360, meta.GetProperty("h").GetInt32());
        Assert.True(meta.GetProperty("thumb").GetBoolean());
        Assert.StartsWith($"/kefu/files/{visitor.Scope}/{meta.GetProperty("id").GetString()}?t=", meta.GetProperty("url").GetString());

        // A repeat (another tab, a retry) with other bytes: the same attachment, and its body is not what is stored.
        using var again = await visitor.UploadAsync(TestFiles.Pdf, "up-1", "other.pdf");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var repeat = JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(meta.GetProperty("id").GetString(), repeat.GetProperty("id").GetString());
        Assert.Equal(meta.GetProperty("sha256").GetString(), repeat.GetProperty("sha256").GetString());
        Assert.Equal("screenshot.png", repeat.GetProperty("name").GetString());
        Assert.Equal(3, await CountBlobsAsync(host, $"conv/{visitor.Scope}/")); // file, thumb, meta: once

        // The stored bytes are the ones the metadata describes.
        using var download = await visitor.GetAsync($"/kefu/files/{visitor.Scope}/{meta.GetProperty("id").GetString()}");
        var bytes = await download.Content.ReadAsByteArrayAsync();
        Assert.Equal(meta.GetProperty("size").GetInt64(), bytes.Length);
        Assert.Equal(meta.GetProperty("sha256").GetString(), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
        Assert.Equal("image/png", download.Content.Headers.ContentType!.MediaType);
        Assert.Equal("inline", download.Content.Headers.ContentDisposition!.DispositionType);
        AssertSafetyHeaders(download);

        using var thumb = await visitor.GetAsync($"/kefu/files/{visitor.Scope}/{meta.GetProperty("id").GetString()}/thumb");
        Assert.Equal("image/webp", thumb.Content.Headers.ContentType!.MediaType);
        using var decoded = SKBitmap.Decode(await thumb.Content.ReadAsByteArrayAsync());
        Assert.Equal((320, 180), (decoded.Width, decoded.Height));
    }

    [Fact]
    public async Task PngDeclaring50000By50000Pixels_IsRefusedFromItsHeader_WithImageTooLarge()
    {
        var host = await StartAsync();
        var visitor = AttachmentClient.Visitor(host);
        var bomb = TestFiles.PngBomb();
        Assert.True(bomb.Length < 2000, $"the bomb is {bomb.Length} bytes");
        var before = GC.GetTotalMemory(forceFullCollection: false);
        using var response = await visitor.UploadAsync(bomb, "bomb", "bomb.png");
        Assert.Equal(422, (int)response.StatusCode);
        var error = await AttachmentClient.ErrorOf(response);
        // image_too_large (not invalid_image): refused from the header, before any decoding of its 10 GB of pixels.
        Assert.Equal("image_too_large", error.GetProperty("code").GetString());
        Assert.Equal(40_000_000, error.GetProperty("limit").GetInt64());
        Assert.False(error.GetProperty("retry").GetBoolean());
        Assert.InRange(GC.GetTotalMemory(forceFullCollection: false) - before, long.MinValue, 256L * 1024 * 1024);
        Assert.Equal(0, await CountBlobsAsync(host, $"conv/{visitor.Scope}/"));
    }

    [Fact]
    public async Task JpegWithGpsExif_IsStoredWithoutIt()
    {
        var host = await StartAsync();
        var visitor = AttachmentClient.Visitor(host);
        var original = TestFiles.JpegWithGps();
        Assert.Contains(TestFiles.GpsMarker, Encoding.Latin1.GetString(original)); // the premise: the upload carries GPS
        var meta = await visitor.UploadOkAsync(original, "gps", "holiday.jpg");
        Assert.Equal("image/jpeg", meta.GetProperty("type").GetString());
        using var download = await visitor.GetAsync($"/kefu/files/{visitor.Scope}/{meta.GetProperty("id").GetString()}");
        var stored = await download.Content.ReadAsByteArrayAsync();
        var text = Encoding.Latin1.GetString(stored);
        Assert.DoesNotContain(TestFiles.GpsMarker, text);
        Assert.DoesNotContain("Exif", text);
        Assert.False(HasJpegSegment(stored, 0xE1), "the stored JPEG still has an APP1 (EXIF/XMP) segment");
        using var decoded = SKBitmap.Decode(stored);
        Assert.Equal((80, 60), (decoded.Width, decoded.Height));
    }

    [Fact]
    public async Task SvgWithScript_AndHtmlNamedPng_AreRefusedByDefault_WithTheAllowedTypes()
    {
        var host = await StartAsync();
        var visitor = AttachmentClient.Visitor(host);
        foreach (var (bytes, name) in new[] { (TestFiles.SvgWithScript, "logo.svg"), (TestFiles.Html, "cat.png") })
        {
            using var response = await visitor.UploadAsync(bytes, "t-" + name.Replace('.', '-'), name);
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
            var error = await AttachmentClient.ErrorOf(response);
            Assert.Equal("type_not_allowed", error.GetProperty("code").GetString());
            Assert.Contains("image/png", error.GetProperty("types").EnumerateArray().Select(t => t.GetString()));
        }
    }

    [Theory]
    [InlineData("svg")]
    [InlineData("html")]
    public async Task SvgWithScript_AndHtmlNamedPng_WhenAllowed_AreServedOnlyAsDownloads_WithNosniff(string kind)
    {
        var host = await StartAsync(o => o.Attachments.AllowedTypes = ["image/png", "image/svg+xml", "text/html"]);
        var visitor = AttachmentClient.Visitor(host);
        var (bytes, name, type) = kind == "svg" ? (TestFiles.SvgWithScript, "logo.svg", "image/svg+xml") : (TestFiles.Html, "cat.png", "text/html");
        var meta = await visitor.UploadOkAsync(bytes, "k-" + kind, name);
        Assert.Equal(type, meta.GetProperty("type").GetString());
        Assert.False(meta.GetProperty("thumb").GetBoolean());
        Assert.False(meta.TryGetProperty("thumbUrl", out _));

        // With the header, and through the signed URL an <img> would use: never rendered, whatever the bytes are.
        foreach (var authenticate in new[] { true, false })
        {
            var path = authenticate ? $"/kefu/files/{visitor.Scope}/{meta.GetProperty("id").GetString()}" : meta.GetProperty("url").GetString()!;
            using var download = await visitor.GetAsync(path, authenticate);
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal("application/octet-stream", download.Content.Headers.ContentType!.MediaType);
            Assert.Equal("attachment", download.Content.Headers.ContentDisposition!.DispositionType);
            Assert.Equal(name, download.Content.Headers.ContentDisposition.FileNameStar);
            AssertSafetyHeaders(download);
            Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync());
        }

        using var noThumb = await visitor.GetAsync($"/kefu/files/{visitor.Scope}/{meta.GetProperty("id").GetString()}/thumb");
        Assert.Equal(HttpStatusCode.NotFound, noThumb.StatusCode);
    }

    [Fact]
    public async Task Polyglots_AreHandledByWhatTheyStartAs_AGifScriptIsRefused_AndAPngWithHtmlLosesIt()
    {
        var host = await StartAsync();
        var visitor = AttachmentClient.Visitor(host);
        using var gif = await visitor.UploadAsync(TestFiles.GifScriptPolyglot, "gifjs", "funny.gif");
        Assert.Equal(422, (int)gif.StatusCode);
        Assert.Equal("invalid_image", (await AttachmentClient.ErrorOf(gif)).GetProperty("code").GetString());

        var png = TestFiles.Png(32, 32, textChunk: "<html><script>alert(document.cookie)</script></html>");
        Assert.Contains("<script>", Encoding.Latin1.GetString(png));
        var meta = await visitor.UploadOkAsync(png, "pnghtml", "innocent.png");
        using var download = await visitor.GetAsync($"/kefu/files/{visitor.Scope}/{meta.GetProperty("id").GetString()}");
        var stored = await download.Content.ReadAsByteArrayAsync();
        Assert.DoesNotContain("<script>", Encoding.Latin1.GetString(stored));
        Assert.DoesNotContain("tEXt", Encoding.Latin1.GetString(stored));
        AssertSafetyHeaders(download);
    }

    [Fact]
    public async Task OneVisitorsFileUrl_GivenToAnotherVisitor_Answers404()
    {
        var host = await StartAsync();
        var owner = AttachmentClient.Visitor(host);
        var stranger = AttachmentClient.Visitor(host);
        var meta = await owner.UploadOkAsync(TestFiles.Pdf, "secret", "invoice.pdf");
        var id = meta.GetProperty("id").GetString()!;
        var exact = $"/kefu/files/{owner.Scope}/{id}";

        using var asStranger = await stranger.GetAsync(exact);
        using var anonymous = await stranger.GetAsync(exact, authenticate: false);
        using var unknown = await owner.GetAsync($"/kefu/files/{owner.Scope}/AAAAAAAAAAAAAAAAAAAAAA");
        foreach (var response in new[] { asStranger, anonymous, unknown })
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("not_found", (await AttachmentClient.ErrorOf(response)).GetProperty("code").GetString());
        }

        // Links for the stranger's own scope name nothing of the owner; the owner's own answer works.
        using var strangerLinks = await stranger.LinksAsync(id);
        Assert.Empty(JsonDocument.Parse(await strangerLinks.Content.ReadAsStringAsync()).RootElement.GetProperty("links").EnumerateObject());
        using var ownerLinks = await owner.LinksAsync(id, "AAAAAAAAAAAAAAAAAAAAAA");
        var links = JsonDocument.Parse(await ownerLinks.Content.ReadAsStringAsync()).RootElement.GetProperty("links");
        Assert.Equal([id], links.EnumerateObject().Select(p => p.Name));

        // A signed URL opens its file without a header; altered, or moved to another variant, it is 404.
        var signed = links.GetProperty(id).GetProperty("url").GetString()!;
        using var viaLink = await stranger.GetAsync(signed, authenticate: false);
        Assert.Equal(HttpStatusCode.OK, viaLink.StatusCode);
        using var tampered = await stranger.GetAsync(signed[..^2] + (signed[^2] == 'A' ? "BB" : "AA"), authenticate: false);
        Assert.Equal(HttpStatusCode.NotFound, tampered.StatusCode);
        using var otherVariant = await stranger.GetAsync(signed.Replace($"{id}?t=", $"{id}/thumb?t="), authenticate: false);
        Assert.Equal(HttpStatusCode.NotFound, otherVariant.StatusCode);
    }

    [Fact]
    public async Task SignedUrl_Expires_AfterTheLinkLifetime()
    {
        var time = new ManualTimeProvider();
        var host = await StartAsync(o => o.Attachments.LinkLifetime = TimeSpan.FromMinutes(1), time: time);
        var visitor = AttachmentClient.Visitor(host);
        var meta = await visitor.UploadOkAsync(TestFiles.Pdf, "exp", "a.pdf");
        var url = meta.GetProperty("url").GetString()!;
        using (var fresh = await visitor.GetAsync(url, authenticate: false))
        {
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        }

        time.Advance(TimeSpan.FromSeconds(61));
        using var expired = await visitor.GetAsync(url, authenticate: false);
        Assert.Equal(HttpStatusCode.NotFound, expired.StatusCode);
    }

    [Fact]
    public async Task OversizedUpload_WithContentLength_IsRefusedBeforeReading()
    {
        var host = await StartAsync(o => o.Attachments.MaxBytes = 100_000);
        var visitor = AttachmentClient.Visitor(host);
        using var response = await visitor.UploadAsync(new byte[100_001], "big", "big.bin");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var error = await AttachmentClient.ErrorOf(response);
        Assert.Equal("too_large", error.GetProperty("code").GetString());
        Assert.Equal(100_000, error.GetProperty("limit").GetInt64());
    }

    [Fact]
    public async Task OversizedChunkedUpload_IsCutOffAtTheLimit_WithoutReadingTheRest()
    {
        const int limit = 1024 * 1024;
        const long total = 200L * 1024 * 1024;
        var host = await StartAsync(o => o.Attachments.MaxBytes = limit, kestrel: true);
        var visitor = AttachmentClient.Visitor(host);
        var content = new CountingContent(total, "%PDF-1.7\n"u8.ToArray());
        HttpResponseMessage? response = null;
        try
        {
            response = await visitor.UploadAsync([], "huge", "huge.pdf", content: content);
        }
        catch (HttpRequestException)
        {
            // The server closed the connection while the client was still sending: also a cut-off. The count decides.
        }

        if (response is not null)
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Equal("too_large", (await AttachmentClient.ErrorOf(response)).GetProperty("code").GetString());
            response.Dispose();
        }

        // Socket buffers hold a few megabytes at most: nowhere near the 200 MB the client had to send.
        Assert.InRange(content.Sent, limit, 32L * 1024 * 1024);
        Assert.Equal(0, await CountBlobsAsync(host, $"conv/{visitor.Scope}/"));
        var temp = Path.Combine(_files, ".tmp");
        Assert.True(!Directory.Exists(temp) || !Directory.EnumerateFiles(temp).Any(), "a temporary file of the refused upload was left behind");
    }

    [Fact]
    public async Task FloodOfUploads_HitsTheRateLimit_WithRateLimitedAndRetryAfter()
    {
        var host = await StartAsync(o => o.Attachments.UploadsPerMinute = 3);
        var visitor = AttachmentClient.Visitor(host);
        for (var i = 0; i < 3; i++)
        {
            await visitor.UploadOkAsync(TestFiles.Pdf, "flood-" + i, "a.pdf");
        }

        using var refused = await visitor.UploadAsync(TestFiles.Pdf, "flood-3", "a.pdf");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var error = await AttachmentClient.ErrorOf(refused);
        Assert.Equal("rate_limited", error.GetProperty("code").GetString());
        Assert.True(error.GetProperty("retry").GetBoolean());
        Assert.InRange(int.Parse(refused.Headers.GetValues("Retry-After").Single()), 1, 60);

        // A repeat of an earlier upload is no new upload: still answered. Another visitor is not limited by this one.
        using var repeat = await visitor.UploadAsync(TestFiles.Pdf, "flood-0", "a.pdf");
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        await AttachmentClient.Visitor(host).UploadOkAsync(TestFiles.Pdf, "flood-0", "a.pdf");
    }

    [Fact]
    public async Task ConversationQuota_IsEnforced_WithQuotaExceeded()
    {
        var host = await StartAsync(o =>
        {
            o.Attachments.MaxBytes = 3000;
            o.Attachments.MaxBytesPerConversation = 5000;
        });
        var visitor = AttachmentClient.Visitor(host);
        var file = Encoding.UTF8.GetBytes(new string('a', 2500));
        await visitor.UploadOkAsync(file, "q1", "a.txt");
        await visitor.UploadOkAsync(file, "q2", "b.txt");
        using var refused = await visitor.UploadAsync(file, "q3", "c.txt");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        var error = await AttachmentClient.ErrorOf(refused);
        Assert.Equal("quota_exceeded", error.GetProperty("code").GetString());
        Assert.Equal(5000, error.GetProperty("limit").GetInt64());
    }

    [Fact]
    public async Task ForgedToken_IsAuthFailed_AForeignScopeOrCannedIsForbidden_AndAForeignOriginToo()
    {
        var host = await StartAsync(o => o.AllowedOrigins = ["https://shop.example"]);
        var visitor = AttachmentClient.Visitor(host);
        var forged = new AttachmentClient(host.CreateHttpClient(), visitor.Token![..^4] + "AAAA", null, visitor.Scope);
        using (var response = await forged.UploadAsync(TestFiles.Pdf, "f", "a.pdf"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("auth_failed", (await AttachmentClient.ErrorOf(response)).GetProperty("code").GetString());
        }

        var other = AttachmentClient.Visitor(host);
        foreach (var scope in new[] { other.Scope, "_canned" })
        {
            using var response = await visitor.UploadAsync(TestFiles.Pdf, "f", "a.pdf", scope: scope);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("forbidden", (await AttachmentClient.ErrorOf(response)).GetProperty("code").GetString());
        }

        using (var response = await visitor.UploadAsync(TestFiles.Pdf, "f", "a.pdf", origin: "https://evil.example"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        using (var response = await visitor.UploadAsync(TestFiles.Pdf, "f", "a.pdf", origin: "https://shop.example"))
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            Assert.Equal("https://shop.example", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        }

        using var preflight = new HttpRequestMessage(HttpMethod.Options, $"/kefu/files/{visitor.Scope}");
        preflight.Headers.Add("Origin", "https://shop.example");
        using var answer = await visitor.Http.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        Assert.Contains("X-Kefu-Token", answer.Headers.GetValues("Access-Control-Allow-Headers").Single());
    }

    [Theory]
    [InlineData("bad id!", "a.pdf")]
    [InlineData("", "a.pdf")]
    [InlineData("ok", "")]
    [InlineData("ok", "\u202E\u0000")]
    public async Task MalformedUploadIdOrName_IsBadRequest(string id, string name)
    {
        var host = await StartAsync();
        var visitor = AttachmentClient.Visitor(host);
        using var response = await visitor.UploadAsync(TestFiles.Pdf, Uri.EscapeDataString(id), name);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("bad_request", (await AttachmentClient.ErrorOf(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task FileName_IsCleaned_OfPathsAndDirectionOverrides()
    {
        var host = await StartAsync();
        var visitor = AttachmentClient.Visitor(host);
        var meta = await visitor.UploadOkAsync(TestFiles.Pdf, "name", "C:\\Users\\me\\invoice\u202Efdp.exe");
        Assert.Equal("invoicefdp.exe", meta.GetProperty("name").GetString());
    }

    [Fact]
    public async Task AnAgentSendsAFile_AndTheVisitorDownloadsIt_AndAgentsSeeVisitorsFiles()
    {
        var host = await StartAsync();
        var visitor = AttachmentClient.Visitor(host);
        var agent = AttachmentClient.Agent(host, visitor.Scope);
        var sent = await agent.UploadOkAsync(TestFiles.Pdf, "agent-1", "invoice.pdf");
        Assert.Equal("application/pdf", sent.GetProperty("type").GetString());
        using (var download = await visitor.GetAsync($"/kefu/files/{visitor.Scope}/{sent.GetProperty("id").GetString()}"))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal(TestFiles.Pdf, await download.Content.ReadAsByteArrayAsync());
            Assert.Equal("attachment", download.Content.Headers.ContentDisposition!.DispositionType);
        }

        var screenshot = await visitor.UploadOkAsync(TestFiles.Png(), "v-1", "s.png");
        using (var head = await agent.GetAsync($"/kefu/files/{visitor.Scope}/{screenshot.GetProperty("id").GetString()}", method: HttpMethod.Head))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(screenshot.GetProperty("size").GetInt64(), head.Content.Headers.ContentLength);
        }

        // The canned-reply scope is the agents' own.
        var canned = AttachmentClient.Agent(host, "_canned");
        await canned.UploadOkAsync(TestFiles.Pdf, "price-list", "prices.pdf");
    }

    [Fact]
    public async Task AnUploadOnNodeA_IsDownloadableOnNodeB_SharingTheFileStore()
    {
        var a = await StartAsync();
        var b = await StartAsync();
        var (token, identity) = a.Services.GetRequiredService<KefuSync.Security.VisitorTokenService>().IssueAnonymous();
        var onA = AttachmentClient.Visitor(a, identity, token);
        var onB = AttachmentClient.Visitor(b, identity, token);
        var meta = await onA.UploadOkAsync(TestFiles.Png(100, 100), "multi", "m.png");
        using var viaToken = await onB.GetAsync($"/kefu/files/{onB.Scope}/{meta.GetProperty("id").GetString()}");
        Assert.Equal(HttpStatusCode.OK, viaToken.StatusCode);
        using var viaLink = await onB.GetAsync(meta.GetProperty("thumbUrl").GetString()!, authenticate: false);
        Assert.Equal(HttpStatusCode.OK, viaLink.StatusCode);
        using var repeatOnB = await onB.UploadAsync(TestFiles.Png(100, 100), "multi", "m.png");
        Assert.Equal(HttpStatusCode.OK, repeatOnB.StatusCode);
    }

    [Fact]
    public async Task DisabledAttachments_RefuseUploads()
    {
        var host = await StartAsync(o => o.Attachments.Enabled = false);
        using var response = await AttachmentClient.Visitor(host).UploadAsync(TestFiles.Pdf, "x", "a.pdf");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    private async Task<KefuTestHost> StartAsync(Action<KefuSyncOptions>? configure = null, bool kestrel = false, TimeProvider? time = null)
    {
        var host = await KefuTestHost.StartAsync(o =>
        {
            o.Attachments.StoragePath = _files;
            configure?.Invoke(o);
        }, kestrel: kestrel, time: time);
        _hosts.Add(host);
        return host;
    }

    private static async Task<int> CountBlobsAsync(KefuTestHost host, string prefix)
    {
        var count = 0;
        await foreach (var blob in host.Services.GetRequiredService<IBlobStore>().ListAsync(prefix))
        {
            count++;
        }

        return count;
    }

    private static void AssertSafetyHeaders(HttpResponseMessage response)
    {
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("default-src 'none'; sandbox", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
    }

    private static bool HasJpegSegment(byte[] jpeg, byte marker)
    {
        var i = 2;
        while (i + 4 <= jpeg.Length && jpeg[i] == 0xFF)
        {
            var type = jpeg[i + 1];
            if (type == marker)
            {
                return true;
            }

            if (type == 0xDA)
            {
                return false; // start of scan: no more metadata segments
            }

            i += 2 + ((jpeg[i + 2] << 8) | jpeg[i + 3]);
        }

        return false;
    }

    /// <summary>A chunked body (no Content-Length) of <c>total</c> bytes, produced as it is sent, counting what was sent.</summary>
    private sealed class CountingContent(long total, byte[] head) : HttpContent
    {
        private long _sent;

        public long Sent => Interlocked.Read(ref _sent);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var chunk = new byte[64 * 1024];
            head.CopyTo(chunk, 0);
            while (_sent < total)
            {
                await stream.WriteAsync(chunk);
                Interlocked.Add(ref _sent, chunk.Length);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
