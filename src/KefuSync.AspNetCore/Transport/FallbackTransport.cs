using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using KefuSync.Diagnostics;
using KefuSync.Dispatch;
using KefuSync.Protocol;
using KefuSync.Security;
using KefuSync.Sync;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace KefuSync.Transport;

/// <summary>
/// The SSE + POST fallback (docs/protocol.md §1) for networks whose proxies strip the WebSocket upgrade. A session is
/// the same <see cref="ConnectionContext"/> a socket would carry, so every frame has the same semantics.
/// </summary>
internal sealed class FallbackTransport(
    SyncEngine engine,
    ConnectionRegistry registry,
    OriginPolicy origins,
    AgentResolver agents,
    KefuMetrics metrics,
    TimeProvider time,
    IOptionsMonitor<KefuSyncOptions> options)
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] KeepAlive = ": keep-alive\n\n"u8.ToArray();
    private const string NotUtf8 = "The frame is not valid UTF-8.";

    // Deeper than any frame may be (FrameParser allows 16), so a frame nested too deeply is refused on its own with
    // bad_frame, as on the socket, rather than failing the whole body.
    private const int MaxBodyDepth = 64;

    private readonly ConcurrentDictionary<string, FallbackSession> _sessions = new(StringComparer.Ordinal);

    public async Task ConnectAsync(HttpContext context)
    {
        if (!origins.IsAllowed(context))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        var current = options.CurrentValue;
        var body = await ReadBodyAsync(context, current.Limits.MaxFrameBytes).ConfigureAwait(false);
        if (body is null)
        {
            return;
        }

        var now = time.GetTimestamp();
        var connection = new ConnectionContext(ConnectionIds.New(), current, time) { AgentCandidate = await agents.ResolveAsync(context).ConfigureAwait(false), OpenedAt = now, LastFrameAt = now };
        if (Utf8.IsValid(body.Value.Span))
        {
            await engine.HandleAsync(connection, body.Value, context.RequestAborted).ConfigureAwait(false);
        }
        else
        {
            connection.Send(FrameWriter.Error(ErrorCodes.BadFrame, NotUtf8));
        }

        var frames = Drain(connection);
        if (connection.Principal is null)
        {
            // hello refused: answer with the error frames, no session.
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await WriteConnectResponseAsync(context, null, frames).ConfigureAwait(false);
            return;
        }

        var session = new FallbackSession(connection, UserOf(context));
        _sessions[connection.Id] = session;
        registry.Add(connection);
        metrics.Connections.Add(1);
        await WriteConnectResponseAsync(context, connection.Id, frames).ConfigureAwait(false);
    }

    public async Task EventsAsync(HttpContext context)
    {
        if (!TryGetSession(context, out var session, draining: true))
        {
            return;
        }

        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache, no-transform";
        context.Response.Headers["X-Accel-Buffering"] = "no";

        // Not linked to the connection's close: a closing connection completes its send queue, and this loop ends once it
        // has written what was queued before the close (e.g. the error that explains it), as a socket flushes before closing.
        using var stream = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var previous = session.CurrentStream;
        session.CurrentStream = stream;
        if (previous is not null)
        {
            await previous.CancelAsync().ConfigureAwait(false); // one stream per session: the newest wins
        }

        await session.Streaming.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        Interlocked.Increment(ref session.OpenStreams);
        try
        {
            var body = context.Response.Body;
            await body.WriteAsync(KeepAlive, stream.Token).ConfigureAwait(false);
            await body.FlushAsync(stream.Token).ConfigureAwait(false);
            var reader = session.Connection.Outgoing;
            while (!stream.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stream.Token);
                wait.CancelAfter(TimeSpan.FromSeconds(15));
                bool more;
                try
                {
                    more = await reader.WaitToReadAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!stream.IsCancellationRequested)
                {
                    await body.WriteAsync(KeepAlive, stream.Token).ConfigureAwait(false); // keeps proxies from timing out
                    await body.FlushAsync(stream.Token).ConfigureAwait(false);
                    continue;
                }

                if (!more)
                {
                    return; // connection closed by the server
                }

                while (reader.TryPeek(out var frame))
                {
                    // Frames are JSON without raw newlines (the writer escapes them), so one frame is one data line.
                    await body.WriteAsync(DataPrefix, stream.Token).ConfigureAwait(false);
                    await body.WriteAsync(frame, stream.Token).ConfigureAwait(false);
                    await body.WriteAsync(EventEnd, stream.Token).ConfigureAwait(false);
                    reader.TryRead(out _); // only dequeue once written, so a dropped stream loses nothing queued
                }

                await body.FlushAsync(stream.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away or a newer stream replaced this one; the session lives on.
            return;
        }
        finally
        {
            Interlocked.Decrement(ref session.OpenStreams);
            session.LastSeen = Environment.TickCount64;
            session.Streaming.Release();
        }
    }

    public async Task SendAsync(HttpContext context)
    {
        if (!TryGetSession(context, out var session))
        {
            return;
        }

        var limits = options.CurrentValue.Limits;
        var body = await ReadBodyAsync(context, limits.MaxFrameBytes * 8).ConfigureAwait(false);
        if (body is null)
        {
            return;
        }

        var frames = SplitArray(body.Value);
        if (frames is null)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("KefuSync: the body must be a JSON array of frames.").ConfigureAwait(false);
            return;
        }

        session.LastSeen = Environment.TickCount64;
        session.Connection.LastFrameAt = time.GetTimestamp();
        await session.Handling.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        try
        {
            foreach (var frame in frames)
            {
                if (session.Connection.Closed.IsCancellationRequested)
                {
                    break; // closed by an earlier frame of this body (as a socket would be): handle nothing more
                }

                if (frame.Length > limits.MaxFrameBytes)
                {
                    // As on the socket (1009): the session ends after the error, which the event stream still delivers.
                    session.Connection.Send(FrameWriter.Error(ErrorCodes.TooLarge, $"Frames are limited to {limits.MaxFrameBytes} bytes."));
                    session.Connection.Close(CloseCodes.TooBig, "frame too large");
                    break;
                }

                if (!Utf8.IsValid(frame.Span))
                {
                    // A WebSocket fails the connection with 1007 itself (RFC 6455 §8.1), before KefuSync sees the message.
                    // Here KefuSync reads the body, so it can refuse just this frame, the way it refuses any unreadable one.
                    session.Connection.Send(FrameWriter.Error(ErrorCodes.BadFrame, NotUtf8));
                    continue;
                }

                await engine.HandleAsync(session.Connection, frame, session.Connection.Closed).ConfigureAwait(false);
            }
        }
        finally
        {
            session.Handling.Release();
        }

        context.Response.StatusCode = StatusCodes.Status202Accepted;
    }

    /// <summary>Ends sessions whose client has had no stream open for longer than the idle limit.</summary>
    public void Sweep()
    {
        var idleMs = options.CurrentValue.Limits.FallbackSessionIdleSeconds * 1000L;
        var now = Environment.TickCount64;
        foreach (var (id, session) in _sessions)
        {
            var closed = session.Connection.Closed.IsCancellationRequested;
            var idle = Volatile.Read(ref session.OpenStreams) == 0 && now - session.LastSeen > idleMs;
            if (!closed && !idle)
            {
                continue;
            }

            if (Interlocked.Exchange(ref session.Ended, 1) == 0)
            {
                session.Connection.Close(CloseCodes.Timeout, "fallback session idle"); // no-op when already closed
                engine.Disconnected(session.Connection);
                registry.Remove(session.Connection);
                metrics.Connections.Add(-1);
            }

            // A closed session stays findable by its event stream while it holds frames no stream delivered yet (the error
            // that closed it, when the client's stream was not attached at that moment), as a socket flushes before its
            // close frame; at most until it has been idle for the idle limit.
            if (session.Connection.Outgoing.Count == 0 || idle)
            {
                _sessions.TryRemove(id, out _);
            }
        }
    }

    // draining: an event stream may still fetch what a closed session queued before it closed.
    private bool TryGetSession(HttpContext context, out FallbackSession session, bool draining = false)
    {
        var id = context.Request.Query["session"].ToString();
        if (!string.IsNullOrEmpty(id)
            && _sessions.TryGetValue(id, out session!)
            && (!session.Connection.Closed.IsCancellationRequested || (draining && session.Connection.Outgoing.Count > 0))
            && string.Equals(session.User, UserOf(context), StringComparison.Ordinal))
        {
            return true;
        }

        // Unknown, expired, or opened by another HTTP user: all answer the same, so a leaked id confirms nothing to
        // another login and lets it read or write nothing. The client connects again.
        session = null!;
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return false;
    }

    /// <summary>
    /// The identity a session is bound to (docs/protocol.md §1): the authenticated HTTP user's id (its NameIdentifier
    /// claim, else its name), or null without one. It is what every request of a session can carry: an agent's or a
    /// signed-in visitor's cookie comes with each same-origin request, while the visitor token travels only in hello.
    /// </summary>
    internal static string? UserOf(HttpContext context)
    {
        var user = context.User;
        return user.Identity?.IsAuthenticated == true ? user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.Identity.Name ?? "" : null;
    }

    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpContext context, int limit)
    {
        if (context.Request.ContentLength > limit)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static List<ReadOnlyMemory<byte>>? SplitArray(ReadOnlyMemory<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body.Span, new JsonReaderOptions { MaxDepth = MaxBodyDepth });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                return null;
            }

            var frames = new List<ReadOnlyMemory<byte>>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                frames.Add(body[start..(int)reader.BytesConsumed]);
            }

            return frames;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static List<byte[]> Drain(ConnectionContext connection)
    {
        var frames = new List<byte[]>();
        while (connection.Outgoing.TryRead(out var frame))
        {
            frames.Add(frame);
        }

        return frames;
    }

    private static async Task WriteConnectResponseAsync(HttpContext context, string? session, List<byte[]> frames)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        var builder = new StringBuilder("{\"session\":");
        builder.Append(session is null ? "null" : JsonSerializer.Serialize(session, SyncJsonContext.Default.String));
        builder.Append(",\"frames\":[");
        for (var i = 0; i < frames.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }

            builder.Append(Encoding.UTF8.GetString(frames[i]));
        }

        builder.Append("]}");
        await context.Response.WriteAsync(builder.ToString()).ConfigureAwait(false);
    }
}
