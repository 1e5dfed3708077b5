using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Runtime;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Threading.Channels;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KefuSync.LoadGenerator.Servers;

/// <summary>
/// The three servers the load generator compares, each started in its own process on 127.0.0.1 and a free port:
/// <list type="bullet">
/// <item><c>kefu</c>: AddKefuSync/MapKefuSync with the in-memory store (or, with <c>sqlite PATH</c> or <c>redis HOST:PORT</c>
/// after the kind, the EF Core store on SQLite or the Redis store and backplane); connections that send <c>X-Bench-Agent: 1</c>
/// authenticate as an agent (so ten of them can share a <c>conv:roomN</c> channel); the rate limit is raised.</item>
/// <item><c>raw</c>: a raw Kestrel WebSocket room broadcast: the room comes from the query string, every received
/// message is copied once and the same bytes are queued to every member of the room (the sender included). No parsing.
/// Per connection a bounded queue (the same capacity as KefuSync's) and a send loop; a full queue closes with 4503.
/// This is the floor KefuSync is compared with, not a product.</item>
/// <item><c>signalr</c>: a SignalR hub (JSON hub protocol) with <c>Join(room)</c> and <c>Send(room, text)</c>, which
/// broadcasts <c>m(room, text)</c> to the group.</item>
/// </list>
/// Every mode also serves <c>GET /__bench/gc</c>: a full, compacting, blocking collection (for the idle-memory scenario).
/// The process prints <c>LISTENING http://127.0.0.1:port</c> once it accepts connections; it stops when stdin closes.
/// </summary>
internal static class BenchServers
{
    public const int QueueCapacity = 1024; // KefuSync's default Limits.SendQueueCapacity

    public static async Task<int> RunAsync(string[] args)
    {
        var kind = args.Length > 0 ? args[0] : "kefu";
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        switch (kind)
        {
            case "kefu":
                // Errors only, on stderr (the driver forwards them and counts "fail:"/"crit:" lines as correctness
                // failures): a run in which KefuSync logs a failure, e.g. for a resend, is not a clean run.
                builder.Logging.SetMinimumLevel(LogLevel.Error).AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
                builder.Services.AddAuthentication(BenchAgentHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, BenchAgentHandler>(BenchAgentHandler.SchemeName, null);
                builder.Services.AddAuthorization(o => o.AddPolicy("bench-agent", p => p.RequireAuthenticatedUser()));
                var kefu = builder.Services.AddKefuSync(o =>
                {
                    o.AgentPolicy = "bench-agent";
                    o.Limits.FramesPerSecond = 1_000_000;
                    o.Limits.FrameBurst = 1_000_000;
                    o.Limits.FloodCloseAfter = 1_000_000;
                });
                switch (args.Length > 2 ? args[1] : "memory")
                {
                    case "sqlite": // server kefu sqlite PATH: the EF Core store on a SQLite file
                        kefu.AddEntityFrameworkStore(db => db.UseSqlite("Data Source=" + args[2]), o => o.CreateSchemaOnStartup = true);
                        break;
                    case "redis": // server kefu redis HOST:PORT: the Redis store and backplane (several nodes act as one)
                        kefu.AddRedis(args[2]).PersistDataProtectionKeysToRedis(); // fallback session ids work on every node
                        break;
                    case "webhook": // server kefu webhook URL: the in-memory store and one webhook endpoint (the webhooks scenario)
                        builder.Services.Configure<KefuSyncOptions>(o => o.Webhooks.AllowPrivateNetworks = true); // the receiver is on loopback
                        kefu.AddWebhook("bench", args[2], Driver.WebhookScenario.Secret);
                        break;
                }

                break;
            case "raw":
                break;
            case "signalr":
                builder.Services.AddSignalR(o =>
                {
                    o.EnableDetailedErrors = false;
                    o.MaximumReceiveMessageSize = 64 * 1024;
                });
                break;
            default:
                await System.Console.Error.WriteLineAsync($"unknown server kind '{kind}' (kefu, raw, signalr)").ConfigureAwait(false);
                return 2;
        }

        var app = builder.Build();
        app.MapGet("/__bench/gc", () =>
        {
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            return Results.Text(GC.GetTotalMemory(false).ToString(System.Globalization.CultureInfo.InvariantCulture));
        });

        // An allocation profile by type (KEFU_BENCH_ALLOCS=1): each call answers the table since the previous call.
        var allocations = Environment.GetEnvironmentVariable("KEFU_BENCH_ALLOCS") == "1" ? new AllocationSampler() : null;
        app.MapGet("/__bench/allocs", () => Results.Text(allocations?.TakeReport(25) ?? "off (KEFU_BENCH_ALLOCS=1)\n"));

        // GC activity (collections per generation, total pause, bytes allocated) and JIT activity (methods compiled,
        // compilation time), read before and after a measurement window: JIT work inside the window means the window
        // is not steady state yet (tiered compilation still promoting hot methods).
        app.MapGet("/__bench/gcstats", () => Results.Text(string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"{GC.CollectionCount(0)} {GC.CollectionCount(1)} {GC.CollectionCount(2)} {GC.GetTotalPauseDuration().TotalMilliseconds} {GC.GetTotalAllocatedBytes(precise: false)} {System.Runtime.JitInfo.GetCompiledMethodCount()} {System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds}")));

        switch (kind)
        {
            case "kefu":
                app.UseAuthentication();
                app.UseAuthorization();
                app.MapKefuSync();
                break;
            case "raw":
                var rooms = new RawRooms();
                app.UseWebSockets();
                app.Map("/raw", rooms.HandleAsync);
                break;
            default:
                app.MapHub<ChatHub>("/hub");
                break;
        }

        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        System.Console.WriteLine("LISTENING " + address);
        System.Console.Out.Flush();

        // Stop when the driver closes our stdin (or kills us).
        await Task.Run(() =>
        {
            while (System.Console.In.ReadLine() is not null)
            {
            }
        }).ConfigureAwait(false);
        await app.StopAsync().ConfigureAwait(false);
        return 0;
    }

    /// <summary>Authenticates a request as an agent when it carries <c>X-Bench-Agent: 1</c> (bench only; loopback).</summary>
    private sealed class BenchAgentHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "bench";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (Request.Headers["X-Bench-Agent"] != "1")
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var identity = new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "bench"), new Claim(ClaimTypes.Name, "Bench agent")], SchemeName);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
        }
    }

    /// <summary>The SignalR baseline hub.</summary>
    public sealed class ChatHub : Hub
    {
        public Task Join(string room) => Groups.AddToGroupAsync(Context.ConnectionId, room);

        public Task Send(string room, string text) => Clients.Group(room).SendAsync("m", room, text);
    }

    /// <summary>The raw-Kestrel baseline: copy-on-write member arrays per room, one queue and send loop per connection.</summary>
    private sealed class RawRooms
    {
        private readonly ConcurrentDictionary<string, RawConnection[]> _rooms = new(StringComparer.Ordinal);

        public async Task HandleAsync(HttpContext context)
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            var room = context.Request.Query["room"].ToString();
            using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { KeepAliveInterval = TimeSpan.FromSeconds(30) }).ConfigureAwait(false);
            var connection = new RawConnection(socket);
            _rooms.AddOrUpdate(room, static (_, c) => [c], static (_, existing, c) => [.. existing, c], connection);
            var sending = connection.SendLoopAsync();
            var buffer = ArrayPool<byte>.Shared.Rent(4096);
            try
            {
                while (socket.State == WebSocketState.Open)
                {
                    var length = 0;
                    ValueWebSocketReceiveResult result;
                    do
                    {
                        if (length == buffer.Length)
                        {
                            var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                            buffer.AsSpan(0, length).CopyTo(larger);
                            ArrayPool<byte>.Shared.Return(buffer);
                            buffer = larger;
                        }

                        result = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None).ConfigureAwait(false);
                        length += result.Count;
                    }
                    while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }

                    var frame = buffer.AsSpan(0, length).ToArray();
                    if (_rooms.TryGetValue(room, out var members))
                    {
                        foreach (var member in members)
                        {
                            member.Send(frame);
                        }
                    }
                }
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
            {
                // connection lost
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
                Remove(room, connection);
                connection.Close(1000);
                await sending.ConfigureAwait(false);
            }
        }

        private void Remove(string room, RawConnection connection)
        {
            while (_rooms.TryGetValue(room, out var existing))
            {
                var next = existing.Where(c => c != connection).ToArray();
                if (next.Length == 0 ? _rooms.TryRemove(new KeyValuePair<string, RawConnection[]>(room, existing)) : _rooms.TryUpdate(room, next, existing))
                {
                    return;
                }
            }
        }
    }

    private sealed class RawConnection(WebSocket socket)
    {
        private readonly Channel<byte[]> _queue = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(QueueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });

        private int _closeCode;

        public void Send(byte[] frame)
        {
            if (!_queue.Writer.TryWrite(frame))
            {
                Close(4503); // slow consumer, as KefuSync does
            }
        }

        public void Close(int code)
        {
            if (Interlocked.CompareExchange(ref _closeCode, code, 0) == 0)
            {
                _queue.Writer.TryComplete();
            }
        }

        public async Task SendLoopAsync()
        {
            try
            {
                var reader = _queue.Reader;
                while (await reader.WaitToReadAsync().ConfigureAwait(false))
                {
                    while (reader.TryRead(out var frame))
                    {
                        await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
                    }
                }

                if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    await socket.CloseOutputAsync((WebSocketCloseStatus)_closeCode, "closed", timeout.Token).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                socket.Abort();
            }
        }
    }
}
