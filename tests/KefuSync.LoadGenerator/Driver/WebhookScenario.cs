using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KefuSync.LoadGenerator.Driver;

/// <summary>
/// <c>webhooks</c> (issue 16): one node with one webhook endpoint, a receiver on real Kestrel in this process that checks
/// every signature. Phase 1 writes <see cref="Sizes.WebhookRate"/> messages/s across <see cref="Sizes.WebhookRooms"/>
/// conversations for <see cref="Sizes.WebhookMeasure"/> and reports the lag of each <c>message.created</c> behind the
/// log: its arrival minus the writer's ack (the commit). Phase 2 writes <see cref="Sizes.WebhookBurst"/> messages as fast
/// as acks allow and reports how fast the node delivers them. Checked: every acked message arrives, in revision order per
/// conversation, signed; a repeat carries the same <c>webhook-id</c> (counted).
/// </summary>
internal static class WebhookScenario
{
    public const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static readonly byte[] Key = Convert.FromBase64String(Secret["whsec_".Length..]);

    public static async Task<RunResult> RunAsync(string gc, Sizes sizes)
    {
        var result = new RunResult();
        await using var receiver = await Receiver.StartAsync().ConfigureAwait(false);
        using var node = await ServerProcess.StartAsync("kefu", gc, "webhook", receiver.Url).ConfigureAwait(false);

        // Phase 1: paced. Lag is measured per message from its ack to its arrival.
        var paced = await WriteAsync(node, receiver, "wh", sizes.WebhookRooms, (int)(sizes.WebhookRate * sizes.WebhookMeasure.TotalSeconds), sizes.WebhookRate, sizes.Padding, result).ConfigureAwait(false);
        if (result.Failures.Count > 0)
        {
            return result;
        }

        var lags = paced.Select(p => Stopwatch.GetElapsedTime(p.Acked, receiver.ArrivedAt(p.Conversation, p.Revision)).TotalMilliseconds).Order().ToArray();
        result.Metrics["lag_p50_ms"] = lags[lags.Length / 2];
        result.Metrics["lag_p99_ms"] = lags[Math.Min(lags.Length - 1, (int)(lags.Length * 0.99))];
        result.Metrics["lag_max_ms"] = lags[^1];

        // Phase 2: a burst, delivered as fast as the node can.
        var cpu = node.CpuSeconds();
        var started = Stopwatch.GetTimestamp();
        var burst = await WriteAsync(node, receiver, "whb", sizes.WebhookRooms, sizes.WebhookBurst, rate: 0, sizes.Padding, result).ConfigureAwait(false);
        if (result.Failures.Count > 0)
        {
            return result;
        }

        var lastArrival = burst.Max(p => receiver.ArrivedAt(p.Conversation, p.Revision));
        var seconds = Stopwatch.GetElapsedTime(started, lastArrival).TotalSeconds;
        result.Metrics["burst_delivered_per_s"] = burst.Count / seconds;
        result.Metrics["burst_drain_ms"] = Stopwatch.GetElapsedTime(burst.Max(p => p.Acked), lastArrival).TotalMilliseconds;
        result.Metrics["cpu_us_per_event"] = (node.CpuSeconds() - cpu) * 1e6 / burst.Count;
        result.Metrics["repeats"] = receiver.Repeats;
        if (receiver.BadSignatures > 0)
        {
            result.Failures.Add($"webhooks: {receiver.BadSignatures} requests did not verify");
        }

        if (receiver.OutOfOrder.Count > 0)
        {
            result.Failures.Add($"webhooks: out of order per conversation: {string.Join("; ", receiver.OutOfOrder.Take(5))}");
        }

        if (node.HasExited)
        {
            result.Failures.Add("the server process exited during the run");
        }

        return result;
    }

    private readonly record struct Written(string Conversation, long Revision, long Acked);

    /// <summary>
    /// One agent per conversation writes its share (paced at <paramref name="rate"/> messages/s in all, or unpaced with
    /// 0), then waits until every acked message arrived at the receiver. Returns each message's revision and ack time.
    /// </summary>
    private static async Task<List<Written>> WriteAsync(ServerProcess node, Receiver receiver, string prefix, int rooms, int total, double rate, int padding, RunResult result)
    {
        var written = new ConcurrentBag<Written>();
        var perRoom = Math.Max(1, total / rooms);
        var interval = rate > 0 ? TimeSpan.FromSeconds(rooms / rate) : TimeSpan.Zero;
        await Task.WhenAll(Enumerable.Range(0, rooms).Select(async r =>
        {
            var room = prefix + r;
            var writer = await BenchClient.ConnectAsync(ServerKind.Kefu, node.Address, room, agent: true, CancellationToken.None, subscribe: false).ConfigureAwait(false);
            using var window = new SemaphoreSlim(64, 64);
            using var stop = new CancellationTokenSource();
            var acked = 0;
            var receiving = writer.ReceiveLoopAsync(m =>
            {
                if (m.Kind == InboundKind.Ack)
                {
                    written.Add(new Written(room, m.Rev, Stopwatch.GetTimestamp()));
                    Interlocked.Increment(ref acked);
                    window.Release();
                }
            }, stop.Token);
            var next = Stopwatch.GetTimestamp() + (long)(interval.TotalSeconds * Stopwatch.Frequency * r / rooms); // staggered
            for (var i = 1; i <= perRoom; i++)
            {
                if (rate > 0)
                {
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait).ConfigureAwait(false);
                    }

                    next += (long)(interval.TotalSeconds * Stopwatch.Frequency);
                }

                await window.WaitAsync().ConfigureAwait(false);
                await writer.SendAsync(writer.EncodeMessage(BenchClient.MessageText(i, 0, padding), $"{room}-{i}"), CancellationToken.None).ConfigureAwait(false);
            }

            var deadline = Stopwatch.GetTimestamp() + (60 * Stopwatch.Frequency);
            while (Volatile.Read(ref acked) < perRoom && Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(5).ConfigureAwait(false);
            }

            await stop.CancelAsync().ConfigureAwait(false);
            writer.Abort();
            try
            {
                await receiving.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ClosedException)
            {
                // the loop ends with the abort
            }

            if (Volatile.Read(ref acked) < perRoom)
            {
                lock (result.Failures)
                {
                    result.Failures.Add($"{room}: {Volatile.Read(ref acked)} of {perRoom} messages acknowledged");
                }
            }
        })).ConfigureAwait(false);

        var list = written.ToList();
        var until = Stopwatch.GetTimestamp() + (60 * Stopwatch.Frequency);
        while (list.Any(w => !receiver.Has(w.Conversation, w.Revision)))
        {
            if (Stopwatch.GetTimestamp() > until)
            {
                var missing = list.Where(w => !receiver.Has(w.Conversation, w.Revision)).ToList();
                result.Failures.Add($"webhooks: {missing.Count} of {list.Count} acked messages never arrived (first {missing[0].Conversation}@{missing[0].Revision})");
                break;
            }

            await Task.Delay(10).ConfigureAwait(false);
        }

        return list;
    }

    /// <summary>The receiver: verifies each request, records the first arrival of every (conversation, revision) message.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentDictionary<(string, long), long> _arrived = new();
        private readonly ConcurrentDictionary<string, byte> _ids = new();
        private readonly ConcurrentDictionary<string, long> _lastRevision = new();
        private int _repeats;
        private int _bad;

        private Receiver(WebApplication app) => _app = app;

        public string Url => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hooks";

        public int Repeats => Volatile.Read(ref _repeats);

        public int BadSignatures => Volatile.Read(ref _bad);

        public ConcurrentQueue<string> OutOfOrder { get; } = new();

        public bool Has(string conversation, long revision) => _arrived.ContainsKey((conversation, revision));

        public long ArrivedAt(string conversation, long revision) => _arrived[(conversation, revision)];

        public static async Task<Receiver> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var receiver = new Receiver(app);
            app.MapPost("/hooks", (Func<HttpContext, Task<IResult>>)receiver.HandleAsync);
            await app.StartAsync().ConfigureAwait(false);
            return receiver;
        }

        private async Task<IResult> HandleAsync(HttpContext context)
        {
            var now = Stopwatch.GetTimestamp();
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer).ConfigureAwait(false);
            var body = buffer.ToArray();
            var id = context.Request.Headers["webhook-id"].ToString();
            var timestamp = context.Request.Headers["webhook-timestamp"].ToString();
            var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(Key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.").Concat(body).ToArray()));
            if (!context.Request.Headers["webhook-signature"].ToString().Split(' ').Contains(expected))
            {
                Interlocked.Increment(ref _bad);
                return Results.StatusCode(400);
            }

            if (!_ids.TryAdd(id, 0))
            {
                Interlocked.Increment(ref _repeats); // at-least-once: the same id again is allowed, never a second id
                return Results.Ok();
            }

            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.GetProperty("type").GetString() != "message.created")
            {
                return Results.Ok();
            }

            var data = root.GetProperty("data");
            var conversation = data.GetProperty("conversation").GetString()!;
            var revision = data.GetProperty("revision").GetInt64();
            var last = _lastRevision.GetOrAdd(conversation, 0);
            if (revision <= last)
            {
                OutOfOrder.Enqueue($"{conversation}: {revision} after {last}");
            }

            _lastRevision[conversation] = Math.Max(last, revision); // one request at a time per conversation (ordered delivery)
            _arrived.TryAdd((conversation, revision), now);
            return Results.Ok();
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }
}
