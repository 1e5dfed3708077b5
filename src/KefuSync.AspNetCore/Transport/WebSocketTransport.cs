using System.Buffers;
using System.Net.WebSockets;
using KefuSync.Diagnostics;
using KefuSync.Dispatch;
using KefuSync.Protocol;
using KefuSync.Security;
using KefuSync.Sync;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KefuSync.Transport;

/// <summary>
/// Carries a <see cref="ConnectionContext"/> over a WebSocket: a receive loop that hands whole frames to the
/// <see cref="FrameDispatcher"/> one at a time, and a send loop that drains the bounded send queue.
/// </summary>
internal sealed partial class WebSocketTransport(
    FrameDispatcher dispatcher,
    ConnectionRegistry registry,
    OriginPolicy origins,
    AgentResolver agents,
    KefuMetrics metrics,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    IOptionsMonitor<KefuSyncOptions> options,
    ILogger<WebSocketTransport> logger)
{
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(30);

    public async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("KefuSync: this endpoint accepts WebSocket connections only (docs/protocol.md §1).").ConfigureAwait(false);
            return;
        }

        if (!origins.IsAllowed(context))
        {
            Log.OriginRefused(logger, context.Request.Headers.Origin.ToString());
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        var current = options.CurrentValue;
        var agent = await agents.ResolveAsync(context).ConfigureAwait(false);
        var (socket, batching) = await WebSocketAccept.AcceptAsync(context, KeepAlive).ConfigureAwait(false);
        using var disposeSocket = socket;
        var now = time.GetTimestamp();
        var connection = new ConnectionContext(ConnectionIds.New(), current, time) { AgentCandidate = agent, OpenedAt = now, LastFrameAt = now };
        registry.Add(connection);
        metrics.Connections.Add(1);
        using var stopping = lifetime.ApplicationStopping.Register(static c => ((ConnectionContext)c!).Close(CloseCodes.GoingAway, "server shutting down"), connection);
        var sending = SendLoopAsync(socket, batching, connection);
        try
        {
            await ReceiveLoopAsync(socket, connection, current.Limits).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            Log.ConnectionLost(logger, connection.Id, ex.Message);
        }
        finally
        {
            connection.Close(CloseCodes.Normal, "closed");
            dispatcher.Disconnected(connection);
            registry.Remove(connection);
            metrics.Connections.Add(-1);
            if (connection.CloseCode == CloseCodes.SlowConsumer)
            {
                metrics.SlowConsumers.Add(1);
            }

            await sending.ConfigureAwait(false);
        }
    }

    private async Task ReceiveLoopAsync(WebSocket socket, ConnectionContext connection, KefuLimitsOptions limits)
    {
        byte[]? buffer = null;
        // Receiving is not cancelled when the server closes: the send loop sends the close frame with the protocol's
        // close code and the client answers it. Only a client that never answers is cut off after a timeout.
        using var receiving = new CancellationTokenSource();
        using var closing = connection.Closed.Register(static s => ((CancellationTokenSource)s!).CancelAfter(CloseHandshakeTimeout), receiving);
        try
        {
            while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                var length = 0;

                // An idle connection holds no receive buffer: a zero-byte receive waits for the next message, and the
                // buffer is rented once it is there (4 KB of every idle connection's memory; SignalR does the same).
                // When the message is already here the receive completes at once and the buffer is kept.
                var waiting = socket.ReceiveAsync(Memory<byte>.Empty, receiving.Token);
                if (!waiting.IsCompleted && buffer is not null)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = null;
                }

                var result = await waiting.ConfigureAwait(false);
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close)
                {
                    buffer ??= ArrayPool<byte>.Shared.Rent(4096);
                    if (length == buffer.Length)
                    {
                        if (buffer.Length >= limits.MaxFrameBytes)
                        {
                            connection.Send(FrameWriter.Error(ErrorCodes.TooLarge, $"Frames are limited to {limits.MaxFrameBytes} bytes."));
                            connection.Close(CloseCodes.TooBig, "frame too large");
                            return;
                        }

                        var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, limits.MaxFrameBytes + 1));
                        buffer.AsSpan(0, length).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }

                    result = await socket.ReceiveAsync(buffer.AsMemory(length), receiving.Token).ConfigureAwait(false);
                    length += result.Count;
                    if (length > limits.MaxFrameBytes)
                    {
                        connection.Send(FrameWriter.Error(ErrorCodes.TooLarge, $"Frames are limited to {limits.MaxFrameBytes} bytes."));
                        connection.Close(CloseCodes.TooBig, "frame too large");
                        return;
                    }
                }

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    connection.Close(CloseCodes.Normal, "client closed");
                    return;
                }

                connection.LastFrameAt = time.GetTimestamp();
                if (connection.Closed.IsCancellationRequested)
                {
                    continue; // closing: drain until the client's close frame, handle nothing more
                }

                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    connection.Send(FrameWriter.Error(ErrorCodes.BadFrame, "Frames are JSON text messages; binary messages are not accepted."));
                    continue;
                }

                await dispatcher.HandleAsync(connection, buffer.AsMemory(0, length), connection.Closed).ConfigureAwait(false);
            }
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private async Task SendLoopAsync(WebSocket socket, TurnBatchingStream? batching, ConnectionContext connection)
    {
        try
        {
            var reader = connection.Outgoing;
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                // One turn: every frame queued now, written to the connection at once (TurnBatchingStream).
                batching?.BeginTurn();
                while (reader.TryRead(out var frame))
                {
                    if (batching is null)
                    {
                        await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
                    }
                    else if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    {
                        batching.AppendTextFrame(frame); // framed by the stream: see TurnBatchingStream.AppendTextFrame
                    }
                    else
                    {
                        // What SendAsync throws once the socket sent its close or was aborted: no data after a close frame.
                        throw new WebSocketException(WebSocketError.InvalidState);
                    }

                    if (batching is { TurnFull: true })
                    {
                        await batching.EndTurnAsync().ConfigureAwait(false);
                        batching.BeginTurn();
                    }
                }

                if (batching is not null)
                {
                    await batching.EndTurnAsync().ConfigureAwait(false);
                }
            }

            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(CloseHandshakeTimeout);
                var code = connection.CloseCode == 0 ? CloseCodes.Normal : connection.CloseCode;
                await socket.CloseOutputAsync((WebSocketCloseStatus)code, connection.CloseReason, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            Log.ConnectionLost(logger, connection.Id, ex.Message);
            connection.Close(CloseCodes.Normal, "send failed");
            socket.Abort();
        }
    }
}
