using KefuSync.Sync;

namespace KefuSync.Transport;

/// <summary>
/// A connection carried by an event stream or long polls (server → client) and POST (client → server) instead of a
/// WebSocket. It lives on the node that opened it; other nodes reach it through <see cref="SessionRelay"/>.
/// </summary>
/// <remarks>
/// <para><b>Sequence numbers.</b> Every frame the session hands out gets the next sequence number (1, 2, ...), so a client
/// names the last frame it has seen (the poll's <c>after</c>, the event stream's <c>Last-Event-ID</c>) and a stream or poll
/// that lands anywhere continues exactly after it: nothing twice, nothing skipped (docs/protocol.md §1.2).</para>
/// <para><b>Bounded.</b> Frames stay held after they were handed out until the client acknowledges them with a later
/// cursor, at most <see cref="KefuLimitsOptions.SendQueueCapacity"/> of them (the held window). Past that the oldest are
/// let go; a cursor from before them can no longer be served and the session ends (the client resubscribes from its
/// revisions, as after 4503). Frames not yet handed out wait in the connection's bounded queue, as on a socket.</para>
/// <para>One pull runs at a time, and the newest stream wins: a pull that starts a new stream cancels the pull of the
/// previous one, and that stream's later pulls are refused as replaced, so two streams never share the frames.</para>
/// </remarks>
internal sealed class FallbackSession(ConnectionContext connection, string? user, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Queue<(long Seq, byte[] Frame)> _held = new();
    private readonly SemaphoreSlim _pulling = new(1, 1);
    private readonly int _window = connection.Limits.SendQueueCapacity;
    private long _last;       // the last sequence number handed out
    private long _floor;      // every frame up to here is no longer held (acknowledged or let go)
    private long _generation; // the current stream
    private CancellationTokenSource _current = new();
    private long _lastSeen;

    public ConnectionContext Connection { get; } = connection;

    /// <summary>The HTTP user bound to the session (docs/protocol.md §1.2.1): every later request must come from the same one.</summary>
    public string? User { get; } = user;

    /// <summary>Frames of one session are handled one at a time, in order, as on a socket.</summary>
    public SemaphoreSlim Handling { get; } = new(1, 1);

    /// <summary><see cref="TimeProvider"/> timestamp of the last request or pull.</summary>
    public long LastSeen { get => Volatile.Read(ref _lastSeen); set => Volatile.Write(ref _lastSeen, value); }

    /// <summary>Pulls running now (a stream waiting for frames counts); the sweep leaves such a session alone.</summary>
    public int OpenStreams;

    /// <summary>1 once the sweep has ended the session (disconnected it from the engine); it may linger to deliver its last frames.</summary>
    public int Ended;

    /// <summary>Frames handed out and not yet acknowledged, plus frames not handed out yet.</summary>
    public bool HasUndelivered
    {
        get
        {
            lock (_gate)
            {
                return _held.Count > 0 || Connection.Outgoing.Count > 0;
            }
        }
    }

    /// <summary>
    /// The frames after <paramref name="request"/>'s cursor: those held, then new ones, or, when there are none, the first
    /// that come within the request's wait. Never throws for the request's cancellation: a cancelled pull is empty.
    /// </summary>
    public async Task<PullResult> PullAsync(PullRequest request, CancellationToken cancellationToken)
    {
        CancellationTokenSource? replaced = null;
        CancellationToken streamToken;
        long stream;
        lock (_gate)
        {
            if (request.Stream == 0)
            {
                stream = ++_generation;
                replaced = _current;
                _current = new CancellationTokenSource();
            }
            else if (request.Stream != _generation)
            {
                return PullResult.Replaced;
            }
            else
            {
                stream = request.Stream;
            }

            streamToken = _current.Token;
        }

        if (replaced is not null)
        {
            // The older stream's waiting pull returns at once. Not disposed: that pull may still be reading its token.
            await replaced.CancelAsync().ConfigureAwait(false);
        }

        Interlocked.Increment(ref OpenStreams);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, streamToken);
        try
        {
            await _pulling.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Interlocked.Decrement(ref OpenStreams);
            return streamToken.IsCancellationRequested ? PullResult.Replaced : PullResult.Empty(stream, Math.Max(request.From, 0));
        }

        try
        {
            return await PullLockedAsync(request, stream, linked.Token, streamToken).ConfigureAwait(false);
        }
        finally
        {
            _pulling.Release();
            Interlocked.Decrement(ref OpenStreams);
            LastSeen = time.GetTimestamp();
        }
    }

    private async Task<PullResult> PullLockedAsync(PullRequest request, long stream, CancellationToken token, CancellationToken streamToken)
    {
        var frames = new List<byte[]>();
        long from;
        lock (_gate)
        {
            if (request.Ack > _last || request.From > _last)
            {
                return PullResult.BadCursor; // the client names a frame that was never handed out
            }

            while (_held.TryPeek(out var head) && head.Seq <= request.Ack)
            {
                _held.Dequeue();
                _floor = head.Seq;
            }

            // No cursor (a first stream): everything still held.
            from = request.From < 0 ? _floor : request.From;
            if (from < _floor)
            {
                // Frames after the cursor were acknowledged by a newer request or let go from the window: this cursor cannot
                // be served without a gap, and a session with a gap is over (the client resubscribes from its revisions).
                Connection.Close(Protocol.CloseCodes.SlowConsumer, "frames after the cursor are no longer held; resubscribe from your last revisions");
                return PullResult.Gone;
            }

            foreach (var (seq, frame) in _held)
            {
                if (seq > from)
                {
                    frames.Add(frame);
                }
            }
        }

        var max = Math.Min(256, _window);
        while (true)
        {
            lock (_gate)
            {
                while (frames.Count < max && Connection.Outgoing.TryRead(out var frame))
                {
                    _held.Enqueue((++_last, frame));
                    frames.Add(frame);
                }

                while (_held.Count > _window)
                {
                    // Let the oldest go: a client that never acknowledges (a plain event stream) keeps a bounded window.
                    var (seq, _) = _held.Dequeue();
                    _floor = seq;
                }
            }

            var ended = Connection.Outgoing.Completion.IsCompleted;
            if (frames.Count > 0 || ended || request.Wait <= TimeSpan.Zero)
            {
                return new PullResult(PullStatus.Ok, stream, from + frames.Count, frames, ended);
            }

            // The bound runs on the registered TimeProvider, as every logical timeout does (docs/architecture.md).
            using var bound = new CancellationTokenSource(request.Wait, time);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(token, bound.Token);
            try
            {
                await Connection.Outgoing.WaitToReadAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return streamToken.IsCancellationRequested ? PullResult.Replaced : PullResult.Empty(stream, from);
            }
        }
    }
}
