using System.Diagnostics;
using System.Net.Http.Headers;
using KefuSync.Attachments;
using KefuSync.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SkiaSharp;

namespace KefuSync.Benchmarks;

/// <summary>
/// The attachment figures of docs/benchmarks.md (no BenchmarkDotNet: whole requests through Kestrel on loopback):
/// throughput of one 20 MB upload, server memory growth during ten parallel 20 MB uploads, thumbnail time of a
/// 12-megapixel photo. <c>dotnet run -c Release --project tests/KefuSync.Benchmarks -- attachments</c>.
/// </summary>
internal static class AttachmentBench
{
    private const int FileBytes = 20 * 1024 * 1024;

    public static async Task<int> RunAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), "kefu-bench-files-" + Guid.NewGuid().ToString("N")[..8]);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Services.AddKefuSync(o =>
        {
            o.Attachments.StoragePath = root;
            o.Attachments.MaxBytes = FileBytes;
            o.Attachments.UploadsPerMinute = 1000;
            o.Attachments.MaxBytesPerConversation = 10L * 1024 * 1024 * 1024;
        });
        await using var app = builder.Build();
        app.MapKefuSync();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var (token, identity) = app.Services.GetRequiredService<VisitorTokenService>().IssueAnonymous();
        var scope = Conversations.ConversationKeys.ForVisitor(identity.Id);
        using var http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(5) };
        var body = new byte[FileBytes];
        new Random(14).NextBytes(body);
        "%PDF-1.7\n"u8.CopyTo(body);

        try
        {
            // 1. One 20 MB upload: 1 warm-up + 5 timed, median.
            var times = new List<double>();
            for (var run = 0; run < 6; run++)
            {
                var started = Stopwatch.GetTimestamp();
                await UploadAsync(http, scope, token, "single-" + run, body);
                if (run > 0)
                {
                    times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }

            times.Sort();
            var median = times[times.Count / 2];
            Console.WriteLine($"| 20 MB upload (PDF, file-system store), median of 5 | {median:F0} ms | {FileBytes / 1048576.0 / (median / 1000):F0} MB/s | runs {string.Join(", ", times.Select(t => t.ToString("F0")))} ms |");

            // 2. Ten parallel 20 MB uploads: managed heap and working set sampled every 5 ms.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var process = Process.GetCurrentProcess();
            process.Refresh();
            var heapBefore = GC.GetTotalMemory(false);
            var setBefore = process.WorkingSet64;
            long heapPeak = heapBefore, setPeak = setBefore;
            using var stop = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    process.Refresh();
                    heapPeak = Math.Max(heapPeak, GC.GetTotalMemory(false));
                    setPeak = Math.Max(setPeak, process.WorkingSet64);
                    await Task.Delay(5);
                }
            });
            var parallelStarted = Stopwatch.GetTimestamp();
            await Task.WhenAll(Enumerable.Range(0, 10).Select(i => UploadAsync(http, scope, token, "parallel-" + i, body)));
            var parallelMs = Stopwatch.GetElapsedTime(parallelStarted).TotalMilliseconds;
            await stop.CancelAsync();
            await sampler;
            Console.WriteLine($"| 10 parallel 20 MB uploads (200 MB) | {parallelMs:F0} ms | managed heap +{(heapPeak - heapBefore) / 1048576.0:F1} MB peak | working set +{(setPeak - setBefore) / 1048576.0:F1} MB peak (client bodies: 20 MB, shared) |");

            // 3. Thumbnail (and full re-encode) of a 12-megapixel photo: 1 warm-up + 5 timed, median.
            var photo = Path.Combine(root, "photo-12mp.jpg");
            await File.WriteAllBytesAsync(photo, Photo(4000, 3000));
            var imageTimes = new List<double>();
            for (var run = 0; run < 6; run++)
            {
                var started = Stopwatch.GetTimestamp();
                using var processed = ImageProcessor.Process(photo, ContentSniffer.Jpeg, 40_000_000, out var refusal)
                    ?? throw new InvalidOperationException("The photo was refused: " + refusal?.Code);
                if (run > 0)
                {
                    imageTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }

            imageTimes.Sort();
            Console.WriteLine($"| 12 MP JPEG (4000 × 3000): decode, re-encode, 320 px WebP thumbnail, median of 5 | {imageTimes[imageTimes.Count / 2]:F0} ms | runs {string.Join(", ", imageTimes.Select(t => t.ToString("F0")))} ms |");
            return 0;
        }
        finally
        {
            await app.StopAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task UploadAsync(HttpClient http, string scope, string token, string id, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/kefu/files/{scope}?id={id}&name=bench.pdf") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        request.Headers.Add("X-Kefu-Token", token);
        using var response = await http.SendAsync(request);
        if ((int)response.StatusCode != 201)
        {
            throw new InvalidOperationException($"Upload {id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>A photo-like 12 MP JPEG: smooth gradients plus noise, so the encoder has real work.</summary>
    private static byte[] Photo(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var random = new Random(12);
        var pixels = new byte[width * height * 4];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = ((y * width) + x) * 4;
                var noise = random.Next(-12, 12);
                pixels[i] = (byte)Math.Clamp((x * 255 / width) + noise, 0, 255);
                pixels[i + 1] = (byte)Math.Clamp((y * 255 / height) + noise, 0, 255);
                pixels[i + 2] = (byte)Math.Clamp(128 + noise, 0, 255);
                pixels[i + 3] = 255;
            }
        }

        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }
}
