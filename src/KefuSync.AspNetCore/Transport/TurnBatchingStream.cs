using System.Buffers;

namespace KefuSync.Transport;

/// <summary>
/// The upgraded connection's stream under the server's WebSocket, so that the send loop writes every frame it drains in
/// one turn with one write (one flush, one send system call) instead of one per frame: Kestrel's upgraded stream
/// flushes on every write, and the per-frame flush was the largest part of a delivery's CPU (docs/benchmarks.md,
/// "Where the time goes"). Between <see cref="BeginTurn"/> and <see cref="EndTurnAsync"/> writes are copied into a
/// pooled buffer; outside a turn (pongs, keep-alive pings, the close frame) they go straight through. The buffer is
/// returned after each turn, so an idle connection holds none.
/// </summary>
/// <remarks>
/// <see cref="System.Net.WebSockets.WebSocket"/> serializes its own writes, but the turn's write happens outside its
/// lock, so every write to the inner stream takes <see cref="_writing"/>. Data frames keep their order: only the send
/// loop writes them, and it awaits each turn before the next. A pong or keep-alive ping written while a turn is being
/// written may go out before it, which WebSocket allows (each write holds whole frames: it never splits one).
/// </remarks>
internal sealed class TurnBatchingStream(Stream inner) : Stream
{
    /// <summary>A turn is written early once it holds this much (the send loop checks <see cref="TurnFull"/>).</summary>
    internal const int TurnBytes = 32 * 1024;

    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly Lock _gate = new();
    private byte[]? _turn;
    private int _turnLength;
    private bool _inTurn;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Whether the current turn holds enough to be written now.</summary>
    public bool TurnFull => Volatile.Read(ref _turnLength) >= TurnBytes;

    /// <summary>From now on, writes are held until <see cref="EndTurnAsync"/>.</summary>
    public void BeginTurn()
    {
        lock (_gate)
        {
            _inTurn = true;
        }
    }

    /// <summary>Writes what the turn holds, in one write to the inner stream.</summary>
    public async ValueTask EndTurnAsync(CancellationToken cancellationToken = default)
    {
        byte[]? turn;
        int length;
        lock (_gate)
        {
            _inTurn = false;
            turn = _turn;
            length = _turnLength;
            _turn = null;
            _turnLength = 0;
        }

        if (turn is null)
        {
            return;
        }

        try
        {
            if (length > 0)
            {
                await WriteInnerAsync(turn.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(turn);
        }
    }

    /// <summary>
    /// Adds one whole text message to the turn as a server's WebSocket frame (RFC 6455 §5.2: FIN, opcode 1, unmasked,
    /// the 7-, 16- or 64-bit length), written here instead of through <see cref="System.Net.WebSockets.WebSocket.SendAsync(ReadOnlyMemory{byte}, System.Net.WebSockets.WebSocketMessageType, bool, CancellationToken)"/>:
    /// that call took a lock, copied the frame into the socket's own buffer and then into this turn, per recipient of
    /// every message (a tenth of a saturated server's CPU). Call between <see cref="BeginTurn"/> and
    /// <see cref="EndTurnAsync"/>, and only while the socket may send data (open, or the client's close received): the
    /// socket's own frames (pong, ping, close) still come through <see cref="WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/>,
    /// each whole, so the two never interleave within a frame.
    /// </summary>
    public void AppendTextFrame(ReadOnlySpan<byte> payload)
    {
        Span<byte> header = stackalloc byte[10];
        header[0] = 0x81; // FIN, text
        int headerLength;
        if (payload.Length < 126)
        {
            header[1] = (byte)payload.Length;
            headerLength = 2;
        }
        else if (payload.Length <= ushort.MaxValue)
        {
            header[1] = 126;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)payload.Length);
            headerLength = 4;
        }
        else
        {
            header[1] = 127;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(header[2..], (ulong)payload.Length);
            headerLength = 10;
        }

        lock (_gate)
        {
            if (!_inTurn)
            {
                throw new InvalidOperationException("A frame is appended only inside a turn.");
            }

            Append(header[..headerLength]);
            Append(payload);
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_inTurn)
            {
                Append(buffer.Span);
                return ValueTask.CompletedTask;
            }
        }

        return WriteInnerAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    // Every write outside a turn is already flushed by the inner stream; a turn is flushed by its end.
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            lock (_gate)
            {
                if (_turn is not null)
                {
                    ArrayPool<byte>.Shared.Return(_turn);
                    _turn = null;
                    _turnLength = 0;
                }
            }
        }

        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        var needed = _turnLength + data.Length;
        if (_turn is null || _turn.Length < needed)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _turn is null ? 4096 : _turn.Length * 2));
            if (_turn is not null)
            {
                _turn.AsSpan(0, _turnLength).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_turn);
            }

            _turn = larger;
        }

        data.CopyTo(_turn.AsSpan(_turnLength));
        Volatile.Write(ref _turnLength, needed);
    }

    private async ValueTask WriteInnerAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await inner.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writing.Release();
        }
    }
}
