using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace KefuSync.Tests.Shared;

/// <summary>
/// A minimal protocol client for tests: sends raw JSON frames over any <see cref="WebSocket"/> and collects every
/// server frame, so tests can wait for the frame they expect and inspect all the others.
/// </summary>
internal sealed class KefuTestClient : IAsyncDisposable
{
    private readonly WebSocket _socket;
    private readonly Channel<JsonElement> _inbox = Channel.CreateUnbounded<JsonElement>();
    private readonly List<JsonElement> _seen = [];
    private readonly Task _reader;
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    public KefuTestClient(WebSocket socket)
    {
        _socket = socket;
        _reader = Task.Run(ReadLoopAsync);
    }

    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromSeconds(10);

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public WebSocketState State => _socket.State;

    public JsonElement? Welcome { get; private set; }

    /// <summary>Every frame received so far, in order.</summary>
    public IReadOnlyList<JsonElement> Seen
    {
        get
        {
            lock (_seen)
            {
                return [.. _seen];
            }
        }
    }

    public async Task SendAsync(string json)
    {
        await _sendLock.WaitAsync();
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public Task SendAsync(object frame) => SendAsync(JsonSerializer.Serialize(frame));

    /// <summary>Sends <paramref name="bytes"/> as one text message, as they are (e.g. invalid UTF-8, which a string cannot hold).</summary>
    public async Task SendBytesAsync(byte[] bytes)
    {
        await _sendLock.WaitAsync();
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>The next received frame, or null once the socket has closed and every frame was taken; throws on timeout.</summary>
    public async Task<JsonElement?> ReceiveAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return await _inbox.Reader.WaitToReadAsync(cts.Token) && _inbox.Reader.TryRead(out var frame) ? frame : null;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("No frame arrived. Frames seen: " + string.Join("\n", Seen.Select(f => f.GetRawText())));
        }
    }

    public async Task<JsonElement> HelloAsync(string? token = null, bool agent = false)
    {
        await SendAsync(new Dictionary<string, object?> { ["t"] = "hello", ["v"] = 1, ["client"] = "test", ["token"] = token, ["agent"] = agent });
        var welcome = await WaitForAsync(f => Type(f) is "welcome" or "error");
        if (Type(welcome) == "welcome")
        {
            Welcome = welcome;
        }

        return welcome;
    }

    /// <summary>Waits for the next frame (received after any earlier waits consumed theirs) that matches.</summary>
    public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> match, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            while (true)
            {
                var frame = await _inbox.Reader.ReadAsync(cts.Token);
                if (match(frame))
                {
                    return frame;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("No matching frame arrived. Frames seen: " + string.Join("\n", Seen.Select(f => f.GetRawText())));
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"The socket closed ({_socket.CloseStatus} {_socket.CloseStatusDescription}) before a matching frame. Frames seen: " + string.Join("\n", Seen.Select(f => f.GetRawText())));
        }
    }

    /// <summary>Takes the next received frame if one is waiting.</summary>
    public bool TryTake(out JsonElement frame) => _inbox.Reader.TryRead(out frame);

    public Task<JsonElement> WaitForTypeAsync(string type, TimeSpan? timeout = null) => WaitForAsync(f => Type(f) == type, timeout);

    /// <summary>Waits until the server closes the socket; returns its close status.</summary>
    public async Task<WebSocketCloseStatus?> WaitForCloseAsync(TimeSpan? timeout = null)
    {
        await _reader.WaitAsync(timeout ?? DefaultTimeout);
        return _socket.CloseStatus;
    }

    public static string? Type(JsonElement frame) => frame.TryGetProperty("t", out var t) ? t.GetString() : null;

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                _socket.Abort(); // the server already went away; nothing left to close politely
            }
        }

        await _reader.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        _socket.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[1 << 20];
        try
        {
            while (true)
            {
                var length = 0;
                WebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(new ArraySegment<byte>(buffer, length, buffer.Length - length), CancellationToken.None);
                    length += result.Count;
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (_socket.State == WebSocketState.CloseReceived)
                    {
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "ok", CancellationToken.None);
                    }

                    return;
                }

                var frame = JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement.Clone();
                lock (_seen)
                {
                    _seen.Add(frame);
                }

                _inbox.Writer.TryWrite(frame);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Connection dropped: tests observe it through State/CloseStatus and WaitFor's error.
            return;
        }
        finally
        {
            _inbox.Writer.TryComplete();
        }
    }
}
