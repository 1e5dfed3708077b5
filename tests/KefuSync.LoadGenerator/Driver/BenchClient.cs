using System.Buffers.Text;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using KefuSync.Ot;

namespace KefuSync.LoadGenerator.Driver;

internal enum ServerKind
{
    Kefu,
    Raw,
    SignalR,
}

internal enum InboundKind
{
    Other,
    Message,
    TextOp,
    Ack,
    Subbed,
    Snapshot,
    Error,
}

/// <summary>What the driver needs from one received frame/record, whatever the protocol.</summary>
internal struct Inbound
{
    public InboundKind Kind;
    public long Seq;       // from the message text "seq:ts:pad"
    public long Ts;        // Stopwatch timestamp of the send
    public long Rev;       // KefuSync revision (op, ack, subbed, snapshot)
    public string? Id;     // client op id (text ops, acks)
    public TextOperation? Op;
    public string? Doc;    // snapshot text
    public string? Error;  // error code
}

/// <summary>
/// One load-generator connection over <see cref="ClientWebSocket"/>, speaking KefuSync's protocol, the raw baseline's
/// (bytes in, same bytes out) or SignalR's JSON hub protocol (records ended by 0x1E). After <see cref="ConnectAsync"/>
/// the connection is subscribed to its room: KefuSync hello/welcome/sub/subbed; raw: the room is in the URL;
/// SignalR: handshake, then a <c>Join</c> invocation and its completion.
/// </summary>
internal sealed class BenchClient : IAsyncDisposable
{
    private const byte RecordSeparator = 0x1E;
    private static readonly byte[] SignalRHandshake = Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e");

    private readonly ClientWebSocket _socket;
    private byte[] _buffer = new byte[16 * 1024];
    private int _recordStart;
    private int _recordEnd; // SignalR: pending records in _buffer[_recordStart.._recordEnd)

    private BenchClient(ServerKind kind, ClientWebSocket socket, string room)
    {
        Kind = kind;
        _socket = socket;
        Room = room;
        Channel = "conv:" + room;
    }

    public ServerKind Kind { get; }

    public string Room { get; }

    /// <summary>KefuSync channel this client is subscribed to.</summary>
    public string Channel { get; private set; }

    public string? Token { get; private set; }

    public long SubbedRevision { get; private set; }

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public WebSocketState State => _socket.State;

    /// <summary>Connects and subscribes. KefuSync: an agent joins <c>conv:ROOM</c>; a visitor (agent false) joins its own conversation.</summary>
    public static async Task<BenchClient> ConnectAsync(ServerKind kind, Uri server, string room, bool agent, CancellationToken cancellationToken, string? token = null, string? channel = null, long subscribeRevision = 0, bool subscribe = true)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        var path = kind switch
        {
            ServerKind.Kefu => "/kefu/ws",
            ServerKind.Raw => "/raw",
            _ => "/hub",
        };
        var uri = new UriBuilder(server) { Scheme = "ws", Path = path, Query = kind == ServerKind.Raw ? "room=" + Uri.EscapeDataString(room) : "" }.Uri;
        if (kind == ServerKind.Kefu && agent)
        {
            socket.Options.SetRequestHeader("X-Bench-Agent", "1");
        }

        var client = new BenchClient(kind, socket, room);
        try
        {
            await socket.ConnectAsync(uri, cancellationToken).ConfigureAwait(false);
            switch (kind)
            {
                case ServerKind.Kefu:
                    var hello = agent
                        ? "{\"t\":\"hello\",\"v\":1,\"client\":\"bench\",\"agent\":true}"
                        : token is null ? "{\"t\":\"hello\",\"v\":1,\"client\":\"bench\"}" : "{\"t\":\"hello\",\"v\":1,\"client\":\"bench\",\"token\":\"" + token + "\"}";
                    await client.SendTextAsync(hello, cancellationToken).ConfigureAwait(false);
                    var welcome = await client.ReceiveRecordAsync(cancellationToken).ConfigureAwait(false);
                    client.ReadWelcome(welcome.Span, agent);
                    if (channel is not null)
                    {
                        client.Channel = channel;
                    }

                    if (subscribe)
                    {
                        await client.SubscribeAsync(subscribeRevision, cancellationToken).ConfigureAwait(false);
                    }

                    break;
                case ServerKind.SignalR:
                    await socket.SendAsync(SignalRHandshake, WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
                    var handshake = await client.ReceiveRecordAsync(cancellationToken).ConfigureAwait(false);
                    if (handshake.Span.IndexOf("error"u8) >= 0)
                    {
                        throw new InvalidOperationException("SignalR handshake failed: " + Encoding.UTF8.GetString(handshake.Span));
                    }

                    await client.SendTextAsync("{\"type\":1,\"invocationId\":\"j\",\"target\":\"Join\",\"arguments\":[\"" + room + "\"]}\u001e", cancellationToken).ConfigureAwait(false);
                    while (true)
                    {
                        var record = await client.ReceiveRecordAsync(cancellationToken).ConfigureAwait(false);
                        if (record.Span.IndexOf("\"type\":3"u8) >= 0)
                        {
                            break;
                        }
                    }

                    break;
            }

            return client;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>KefuSync: sub from <paramref name="revision"/>; waits for <c>subbed</c>, handing replayed ops to <paramref name="replayed"/>.</summary>
    public async Task SubscribeAsync(long revision, CancellationToken cancellationToken, Action<Inbound>? replayed = null)
    {
        await SendTextAsync("{\"t\":\"sub\",\"c\":\"b\",\"ch\":\"" + Channel + "\",\"rev\":" + revision + "}", cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var frame = await ReceiveRecordAsync(cancellationToken).ConfigureAwait(false);
            var inbound = Parse(frame.Span);
            if (inbound.Kind == InboundKind.Subbed)
            {
                SubbedRevision = inbound.Rev;
                return;
            }

            if (inbound.Kind == InboundKind.Error)
            {
                throw new InvalidOperationException("sub failed: " + inbound.Error);
            }

            replayed?.Invoke(inbound);
        }
    }

    /// <summary>The bytes of one chat message carrying <paramref name="text"/>, ready to send.</summary>
    public byte[] EncodeMessage(string text, string opId) => Kind switch
    {
        ServerKind.Kefu => Encoding.UTF8.GetBytes("{\"t\":\"submit\",\"c\":\"b\",\"ch\":\"" + Channel + "\",\"id\":\"" + opId + "\",\"rev\":0,\"op\":{\"k\":\"msg\",\"text\":\"" + text + "\"}}"),
        ServerKind.Raw => Encoding.UTF8.GetBytes(text),
        _ => Encoding.UTF8.GetBytes("{\"type\":1,\"target\":\"Send\",\"arguments\":[\"" + Room + "\",\"" + text + "\"]}\u001e"),
    };

    public static string MessageText(long seq, long timestamp, int padding) => string.Create(null, stackalloc char[64], $"{seq}:{timestamp}:") + new string('x', padding);

    public ValueTask SendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
        => _socket.SendAsync(payload, WebSocketMessageType.Text, true, cancellationToken);

    public ValueTask SendTextAsync(string text, CancellationToken cancellationToken)
        => SendAsync(Encoding.UTF8.GetBytes(text), cancellationToken);

    /// <summary>Receives frames until the socket closes or <paramref name="cancellationToken"/> fires, parsing each one.</summary>
    public async Task ReceiveLoopAsync(Action<Inbound> handler, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var record = await ReceiveRecordAsync(cancellationToken).ConfigureAwait(false);
                var inbound = Parse(record.Span);
                if (inbound.Kind != InboundKind.Other)
                {
                    handler(inbound);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ClosedException)
        {
            // done
        }
    }

    /// <summary>One frame (KefuSync, raw) or one record (SignalR); valid until the next call.</summary>
    public async ValueTask<ReadOnlyMemory<byte>> ReceiveRecordAsync(CancellationToken cancellationToken)
    {
        if (Kind == ServerKind.SignalR && _recordStart < _recordEnd)
        {
            return NextRecord();
        }

        var length = 0;
        while (true)
        {
            if (length == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            var result = await _socket.ReceiveAsync(_buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                if (_socket.State == WebSocketState.CloseReceived)
                {
                    try
                    {
                        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
                    {
                        // ignore
                    }
                }

                throw new ClosedException();
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                break;
            }
        }

        if (Kind != ServerKind.SignalR)
        {
            return _buffer.AsMemory(0, length);
        }

        _recordStart = 0;
        _recordEnd = length;
        return NextRecord();
    }

    private ReadOnlyMemory<byte> NextRecord()
    {
        var rest = _buffer.AsSpan(_recordStart, _recordEnd - _recordStart);
        var end = rest.IndexOf(RecordSeparator);
        var length = end < 0 ? rest.Length : end;
        var record = _buffer.AsMemory(_recordStart, length);
        _recordStart += end < 0 ? rest.Length : end + 1;
        return record;
    }

    public Inbound Parse(ReadOnlySpan<byte> record)
    {
        var inbound = default(Inbound);
        switch (Kind)
        {
            case ServerKind.Raw:
                inbound.Kind = InboundKind.Message;
                ParseText(record, ref inbound);
                return inbound;
            case ServerKind.SignalR:
                ParseSignalR(record, ref inbound);
                return inbound;
            default:
                ParseKefu(record, ref inbound);
                return inbound;
        }
    }

    private static void ParseText(ReadOnlySpan<byte> text, ref Inbound inbound)
    {
        if (Utf8Parser.TryParse(text, out long seq, out var used) && used < text.Length && text[used] == (byte)':')
        {
            inbound.Seq = seq;
            text = text[(used + 1)..];
            if (Utf8Parser.TryParse(text, out long ts, out _))
            {
                inbound.Ts = ts;
            }
        }
        else
        {
            inbound.Kind = InboundKind.Other;
        }
    }

    private static void ParseSignalR(ReadOnlySpan<byte> record, ref Inbound inbound)
    {
        if (record.IsEmpty)
        {
            return;
        }

        var reader = new Utf8JsonReader(record);
        reader.Read();
        var type = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                type = reader.GetInt32();
            }
            else if (reader.ValueTextEquals("arguments"u8) && type == 1)
            {
                reader.Read(); // [
                reader.Read(); // room
                reader.Read(); // text
                if (reader.TokenType == JsonTokenType.String)
                {
                    inbound.Kind = InboundKind.Message;
                    ParseText(reader.ValueSpan, ref inbound);
                }

                return;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private static void ParseKefu(ReadOnlySpan<byte> frame, ref Inbound inbound)
    {
        var reader = new Utf8JsonReader(frame);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("t"u8))
            {
                reader.Read();
                inbound.Kind = reader.ValueTextEquals("op"u8) ? InboundKind.Message
                    : reader.ValueTextEquals("ack"u8) ? InboundKind.Ack
                    : reader.ValueTextEquals("subbed"u8) ? InboundKind.Subbed
                    : reader.ValueTextEquals("snapshot"u8) ? InboundKind.Snapshot
                    : reader.ValueTextEquals("error"u8) ? InboundKind.Error
                    : InboundKind.Other;
            }
            else if (reader.ValueTextEquals("rev"u8))
            {
                reader.Read();
                inbound.Rev = reader.GetInt64();
            }
            else if (reader.ValueTextEquals("id"u8) && inbound.Kind is InboundKind.Ack or InboundKind.Message)
            {
                reader.Read();
                inbound.Id = reader.GetString();
            }
            else if (reader.ValueTextEquals("code"u8))
            {
                reader.Read();
                inbound.Error = reader.GetString();
            }
            else if (reader.ValueTextEquals("doc"u8))
            {
                reader.Read();
                inbound.Doc = reader.GetString();
            }
            else if (reader.ValueTextEquals("op"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    inbound.Kind = InboundKind.TextOp;
                    inbound.Op = TextOperation.ReadFrom(ref reader);
                }
                else if (reader.TokenType == JsonTokenType.StartObject)
                {
                    var depth = reader.CurrentDepth;
                    while (reader.Read() && reader.CurrentDepth > depth)
                    {
                        if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == depth + 1 && reader.ValueTextEquals("text"u8))
                        {
                            reader.Read();
                            ParseText(reader.ValueSpan, ref inbound);
                            inbound.Kind = InboundKind.Message;
                        }
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private void ReadWelcome(ReadOnlySpan<byte> frame, bool agent)
    {
        var reader = new Utf8JsonReader(frame);
        string? type = null;
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("t"u8))
            {
                reader.Read();
                type = reader.GetString();
            }
            else if (reader.ValueTextEquals("conv"u8))
            {
                reader.Read();
                if (!agent)
                {
                    Channel = "conv:" + reader.GetString();
                }
            }
            else if (reader.ValueTextEquals("token"u8))
            {
                reader.Read();
                Token = reader.GetString();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (type != "welcome")
        {
            throw new InvalidOperationException("expected welcome, got " + Encoding.UTF8.GetString(frame));
        }
    }

    /// <summary>Closes with the close handshake (bounded), then disposes.</summary>
    public async Task CloseAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            _socket.Abort();
        }

        _socket.Dispose();
    }

    public void Abort()
    {
        _socket.Abort();
        _socket.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

}

/// <summary>The server closed the socket (its close status is on <see cref="BenchClient.CloseStatus"/>).</summary>
internal sealed class ClosedException : Exception
{
}
