using System.Collections.Concurrent;
using System.Text.Json;
using KefuSync.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace KefuSync.Integration.Tests.Webhooks;

/// <summary>One request the receiver got, with what its signature check said.</summary>
internal sealed record ReceivedWebhook(string Id, string Timestamp, string Signature, byte[] Body, bool Verified)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string Type => Json.GetProperty("type").GetString()!;

    public string Conversation => Json.GetProperty("data").GetProperty("conversation").GetString()!;

    public long Revision => Json.GetProperty("data").GetProperty("revision").GetInt64();
}

/// <summary>
/// A webhook receiver on real Kestrel at 127.0.0.1 (a free port), as a CRM would run one: it verifies every request's
/// Standard Webhooks signature the way a receiver does (with <see cref="WebhookSignature.Verify"/>, against the clock
/// the test gives it) and answers what <see cref="Respond"/> says.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    public const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    /// <summary>The status to answer to the request (its index in arrival order, from 0); a task to delay the answer. Default 200.</summary>
    public Func<int, ReceivedWebhook, Task<int>> Respond { get; set; } = (_, _) => Task.FromResult(200);

    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    /// <summary>The secret signatures are checked with: <see cref="Secret"/>, or one the server generated (a console endpoint).</summary>
    public string VerifyWith { get; set; } = Secret;

    public string Url => _app.Urls.First() + "/hook";

    public static async Task<WebhookReceiver> StartAsync(TimeProvider time)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        var count = -1;
        app.MapPost("/hook", async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var body = buffer.ToArray();
            var headers = context.Request.Headers;
            string id = headers["webhook-id"].ToString(), timestamp = headers["webhook-timestamp"].ToString(), signature = headers["webhook-signature"].ToString();
            var verified = WebhookSignature.Verify(WebhookSignature.TryDecodeSecret(receiver.VerifyWith)!, id, timestamp, signature, body, time.GetUtcNow(), TimeSpan.FromMinutes(5));
            var received = new ReceivedWebhook(id, timestamp, signature, body, verified);
            receiver._received.Enqueue(received);
            context.Response.StatusCode = await receiver.Respond(Interlocked.Increment(ref count), received);
        });
        await app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
