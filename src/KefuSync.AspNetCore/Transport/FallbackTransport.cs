using System.Collections.Concurrent;
using System.Globalization;
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
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KefuSync.Transport;

/// <summary>
/// The fallback transports (docs/protocol.md §1.2) for networks whose proxies strip the WebSocket upgrade: an event stream
/// (SSE) or long polls carry frames to the client, POSTs carry them to the server. A session is the same
/// <see cref="ConnectionContext"/> a socket would carry, so every frame has the same semantics.
/// </summary>
/// <remarks>
/// A session lives on the node whose <c>connect</c> opened it. Its id is a signed token (<see cref="SessionTokens"/>) naming
/// that node and the HTTP user, so a request for it may land on any node: the node checks the token and the user, and
/// serves the request itself when it holds the session, or asks the holder over the backplane (<see cref="SessionRelay"/>).
/// Frames carry sequence numbers (<see cref="FallbackSession"/>), so a stream or poll continues exactly where the client
/// is, on whichever node it lands.
/// </remarks>
internal sealed partial class FallbackTransport(
    FrameDispatcher dispatcher,
    ConnectionRegistry registry,
    OriginPolicy origins,
    AgentResolver agents,
    KefuMetrics metrics,
    SessionTokens tokens,
    SessionRelay relay,
    TimeProvider time,
    IOptionsMonitor<KefuSyncOptions> options,
    ILogger<FallbackTransport> logger)
{
    private static readonly byte[] IdPrefix = "id: "u8.ToArray();
    private static readonly byte[] DataPrefix = "\ndata: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] KeepAlive = ": keep-alive\n\n"u8.ToArray();
    private static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(15);

    // How long a relayed request may take beyond its own wait: a holder that does not answer by then is taken as gone.
    private static readonly TimeSpan RelayMargin = TimeSpan.FromSeconds(10);
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
            await dispatcher.HandleAsync(connection, body.Value, context.RequestAborted).ConfigureAwait(false);
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

        // Listening before the session id is out: another node may forward its first request at once.
        await relay.ListenAsync(OnRelayed, context.RequestAborted).ConfigureAwait(false);
        var user = UserOf(context);
        var session = new FallbackSession(connection, user, time) { LastSeen = now };
        _sessions[connection.Id] = session;
        registry.Add(connection);
        metrics.Connections.Add(1);
        await WriteConnectResponseAsync(context, tokens.Mint(new SessionToken(connection.Id, relay.NodeId, user)), frames).ConfigureAwait(false);
    }

    /// <summary><c>GET {prefix}/sse?session=S</c>: the event stream, continuing after <c>after</c> or <c>Last-Event-ID</c>.</summary>
    public async Task EventsAsync(HttpContext context)
    {
        if (!TryGetToken(context, out var token) || !TryGetCursor(context, allowHeader: true, out var cursor))
        {
            return;
        }

        var aborted = context.RequestAborted;
        // The first pull answers at once: it proves the session is there before the stream's headers commit to 200.
        var result = await PullAsync(token, new PullRequest(cursor, cursor, 0, TimeSpan.Zero), aborted).ConfigureAwait(false);
        if (!WriteFailure(context, result))
        {
            return;
        }

        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache, no-transform";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        var body = context.Response.Body;
        try
        {
            await body.WriteAsync(KeepAlive, aborted).ConfigureAwait(false);
            while (true)
            {
                await WriteEventsAsync(body, result, aborted).ConfigureAwait(false);
                await body.FlushAsync(aborted).ConfigureAwait(false);
                if (result.End)
                {
                    return; // the session ended: what it queued before is written, as a socket flushes before its close
                }

                // Not acknowledging as it goes: the session keeps a window of what this stream wrote, so a stream that
                // drops can continue from the client's Last-Event-ID, on any node.
                result = await PullAsync(token, new PullRequest(result.Last, cursor, result.Stream, KeepAliveInterval), aborted).ConfigureAwait(false);
                if (result.Status != PullStatus.Ok)
                {
                    return; // replaced by a newer stream, or the session is gone: the client's EventSource reconnects
                }

                if (result.Frames.Count == 0 && !result.End)
                {
                    await body.WriteAsync(KeepAlive, aborted).ConfigureAwait(false); // keeps proxies from timing out
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client went away; the session lives on, and holds what this stream may not have delivered.
        }
    }

    /// <summary><c>GET {prefix}/poll?session=S&amp;after=N</c>: the frames after N, or an empty batch after the bound.</summary>
    public async Task PollAsync(HttpContext context)
    {
        if (!TryGetToken(context, out var token) || !TryGetCursor(context, allowHeader: false, out var after))
        {
            return;
        }

        after = Math.Max(after, 0);
        var wait = TimeSpan.FromSeconds(options.CurrentValue.Limits.LongPollSeconds);
        var result = await PullAsync(token, new PullRequest(after, after, 0, wait), context.RequestAborted).ConfigureAwait(false);
        if (context.RequestAborted.IsCancellationRequested || !WriteFailure(context, result))
        {
            return;
        }

        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        var builder = new StringBuilder("{\"seq\":").Append(result.Last.ToString(CultureInfo.InvariantCulture)).Append(",\"frames\":");
        AppendArray(builder, result.Frames);
        builder.Append(result.End ? ",\"end\":true}" : "}");
        await context.Response.WriteAsync(builder.ToString(), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary><c>POST {prefix}/send?session=S</c>: a JSON array of frames, handled in order.</summary>
    public async Task SendAsync(HttpContext context)
    {
        if (!TryGetToken(context, out var token))
        {
            return;
        }

        var limits = options.CurrentValue.Limits;
        var body = await ReadBodyAsync(context, limits.MaxFrameBytes * 8).ConfigureAwait(false);
        if (body is null)
        {
            return;
        }

        if (SplitArray(body.Value) is null)
        {
            await WriteNotAnArrayAsync(context).ConfigureAwait(false);
            return;
        }

        int status;
        if (token.Node == relay.NodeId)
        {
            status = await SendLocalAsync(token.Id, token.User, body.Value, context.RequestAborted).ConfigureAwait(false);
        }
        else
        {
            metrics.FallbackRelayed.Add(1);
            await relay.ListenAsync(OnRelayed, context.RequestAborted).ConfigureAwait(false);
            var request = new RelayEnvelope { Op = RelayOp.Send, Session = token.Id, User = token.User };
            var reply = await relay.AskAsync(token.Node, request, body.Value, RelayMargin, context.RequestAborted).ConfigureAwait(false);
            status = reply?.Envelope.Status ?? StatusCodes.Status503ServiceUnavailable;
        }

        context.Response.StatusCode = status;
        if (status == StatusCodes.Status400BadRequest)
        {
            await WriteNotAnArrayAsync(context).ConfigureAwait(false);
        }
    }

    // A relayed request for a session this node holds (from SessionRelay), off the backplane's dispatch loop: a pull may
    // wait for frames, a send for the store.
    private void OnRelayed(RelayMessage request) => _ = Task.Run(() => ServeRelayedAsync(request));

    private async Task ServeRelayedAsync(RelayMessage request)
    {
        var envelope = request.Envelope;
        try
        {
            if (envelope.Op == RelayOp.Send)
            {
                var status = await SendLocalAsync(envelope.Session, envelope.User, request.Body, CancellationToken.None).ConfigureAwait(false);
                await relay.ReplyAsync(request, new RelayEnvelope { Status = status }, default).ConfigureAwait(false);
                return;
            }

            // Bounded by its own wait (and cancelled by a newer stream): an asker that went away costs at most that.
            var pull = new PullRequest(envelope.From, envelope.Ack, envelope.Stream, TimeSpan.FromMilliseconds(Math.Clamp(envelope.WaitMs, 0, 120_000)));
            var result = await PullLocalAsync(envelope.Session, envelope.User, pull, CancellationToken.None).ConfigureAwait(false);
            var frames = new StringBuilder();
            AppendArray(frames, result.Frames);
            var reply = new RelayEnvelope { Status = (int)result.Status, Stream = result.Stream, Last = result.Last, End = result.End };
            await relay.ReplyAsync(request, reply, Encoding.UTF8.GetBytes(frames.ToString())).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.RelayedRequestFailed(logger, envelope.Op.ToString(), ex); // the asker times out and answers 503
        }
    }

    private async Task<PullResult> PullAsync(SessionToken token, PullRequest request, CancellationToken cancellationToken)
    {
        if (token.Node == relay.NodeId)
        {
            return await PullLocalAsync(token.Id, token.User, request, cancellationToken).ConfigureAwait(false);
        }

        metrics.FallbackRelayed.Add(1);
        var ask = new RelayEnvelope
        {
            Op = RelayOp.Pull,
            Session = token.Id,
            User = token.User,
            From = request.From,
            Ack = request.Ack,
            Stream = request.Stream,
            WaitMs = (int)request.Wait.TotalMilliseconds,
        };
        RelayMessage? reply;
        try
        {
            await relay.ListenAsync(OnRelayed, cancellationToken).ConfigureAwait(false);
            reply = await relay.AskAsync(token.Node, ask, default, request.Wait + RelayMargin, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return PullResult.Empty(request.Stream, request.From); // the client went away
        }

        if (reply is not { } answer)
        {
            return PullResult.Unavailable;
        }

        var status = (PullStatus)answer.Envelope.Status;
        if (status != PullStatus.Ok)
        {
            return status == PullStatus.Replaced ? PullResult.Replaced : new PullResult(status, 0, 0, [], false);
        }

        var frames = SplitArray(answer.Body) ?? new List<ReadOnlyMemory<byte>>();
        return new PullResult(PullStatus.Ok, answer.Envelope.Stream, answer.Envelope.Last, frames.ConvertAll(f => f.ToArray()), answer.Envelope.End);
    }

    private Task<PullResult> PullLocalAsync(string id, string? user, PullRequest request, CancellationToken cancellationToken)
    {
        if (!_sessions.TryGetValue(id, out var session)
            || !string.Equals(session.User, user, StringComparison.Ordinal)
            || (session.Connection.Closed.IsCancellationRequested && !session.HasUndelivered))
        {
            return Task.FromResult(PullResult.NotFound);
        }

        return session.PullAsync(request, cancellationToken);
    }

    private async Task<int> SendLocalAsync(string id, string? user, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        if (!_sessions.TryGetValue(id, out var session)
            || !string.Equals(session.User, user, StringComparison.Ordinal)
            || session.Connection.Closed.IsCancellationRequested)
        {
            return StatusCodes.Status404NotFound;
        }

        var frames = SplitArray(body);
        if (frames is null)
        {
            return StatusCodes.Status400BadRequest;
        }

        var limits = options.CurrentValue.Limits;
        session.LastSeen = session.Connection.LastFrameAt = time.GetTimestamp();
        await session.Handling.WaitAsync(cancellationToken).ConfigureAwait(false);
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

                await dispatcher.HandleAsync(session.Connection, frame, session.Connection.Closed).ConfigureAwait(false);
            }
        }
        finally
        {
            session.Handling.Release();
        }

        return StatusCodes.Status202Accepted;
    }

    /// <summary>Ends sessions whose client has had no stream or poll open for longer than the idle limit.</summary>
    public void Sweep()
    {
        var idle = TimeSpan.FromSeconds(options.CurrentValue.Limits.FallbackSessionIdleSeconds);
        var now = time.GetTimestamp();
        foreach (var (id, session) in _sessions)
        {
            var closed = session.Connection.Closed.IsCancellationRequested;
            var quiet = Volatile.Read(ref session.OpenStreams) == 0 && time.GetElapsedTime(session.LastSeen, now) > idle;
            if (!closed && !quiet)
            {
                continue;
            }

            if (Interlocked.Exchange(ref session.Ended, 1) == 0)
            {
                session.Connection.Close(CloseCodes.Timeout, "fallback session idle"); // no-op when already closed
                dispatcher.Disconnected(session.Connection);
                registry.Remove(session.Connection);
                metrics.Connections.Add(-1);
            }

            // A closed session stays findable by its stream or poll while it holds frames the client has not confirmed
            // (the error that closed it, when no stream was attached at that moment), as a socket flushes before its close
            // frame; at most until it has been idle for the idle limit.
            if (!session.HasUndelivered || quiet)
            {
                _sessions.TryRemove(id, out _);
            }
        }
    }

    // Unknown, forged, expired, or opened by another HTTP user: all answer the same 404, so a leaked id confirms nothing
    // to another login and lets it read or write nothing. The client connects again.
    private bool TryGetToken(HttpContext context, out SessionToken token)
    {
        if (tokens.TryRead(context.Request.Query["session"].ToString(), out token)
            && string.Equals(token.User, UserOf(context), StringComparison.Ordinal))
        {
            return true;
        }

        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return false;
    }

    // The last sequence number the client has: `after`, or on an event stream the browser's Last-Event-ID; -1 for none.
    private static bool TryGetCursor(HttpContext context, bool allowHeader, out long cursor)
    {
        var text = context.Request.Query["after"].ToString();
        if (text.Length == 0 && allowHeader)
        {
            text = context.Request.Headers["Last-Event-ID"].ToString();
        }

        cursor = -1;
        if (text.Length == 0)
        {
            return true;
        }

        if (text.Length <= 19 && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out cursor))
        {
            return true;
        }

        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return false;
    }

    /// <summary>Sets the status of a pull that carries no frames to write; true when there is something to write.</summary>
    private static bool WriteFailure(HttpContext context, PullResult result)
    {
        var status = result.Status switch
        {
            PullStatus.Ok when result.End && result.Frames.Count == 0 => StatusCodes.Status404NotFound, // ended, all delivered
            PullStatus.Ok => 0,
            PullStatus.BadCursor => StatusCodes.Status400BadRequest,
            PullStatus.Gone => StatusCodes.Status410Gone,
            PullStatus.Unavailable => StatusCodes.Status503ServiceUnavailable,
            PullStatus.Replaced => StatusCodes.Status409Conflict, // a newer poll of the same session arrived meanwhile
            _ => StatusCodes.Status404NotFound,
        };
        if (status == 0)
        {
            return true;
        }

        context.Response.StatusCode = status;
        return false;
    }

    private static async Task WriteEventsAsync(Stream body, PullResult result, CancellationToken cancellationToken)
    {
        var seq = result.Last - result.Frames.Count;
        var number = new byte[20];
        foreach (var frame in result.Frames)
        {
            // Frames are JSON without raw newlines (the writer escapes them), so one frame is one data line. The id is
            // the frame's sequence number: the browser sends it back as Last-Event-ID when it reconnects.
            seq++;
            seq.TryFormat(number, out var length, default, CultureInfo.InvariantCulture);
            await body.WriteAsync(IdPrefix, cancellationToken).ConfigureAwait(false);
            await body.WriteAsync(number.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            await body.WriteAsync(DataPrefix, cancellationToken).ConfigureAwait(false);
            await body.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            await body.WriteAsync(EventEnd, cancellationToken).ConfigureAwait(false);
        }
    }

    private static Task WriteNotAnArrayAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return context.Response.WriteAsync("KefuSync: the body must be a JSON array of frames.");
    }

    private static void AppendArray(StringBuilder builder, IReadOnlyList<byte[]> frames)
    {
        builder.Append('[');
        for (var i = 0; i < frames.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }

            builder.Append(Encoding.UTF8.GetString(frames[i]));
        }

        builder.Append(']');
    }

    /// <summary>
    /// The identity a session is bound to (docs/protocol.md §1.2.1): the authenticated HTTP user's id (its NameIdentifier
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
        builder.Append(",\"frames\":");
        AppendArray(builder, frames);
        builder.Append('}');
        await context.Response.WriteAsync(builder.ToString()).ConfigureAwait(false);
    }
}
