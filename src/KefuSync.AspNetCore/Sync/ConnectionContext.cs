using System.Threading.Channels;
using KefuSync.Protocol;
using KefuSync.Security;

namespace KefuSync.Sync;

/// <summary>
/// The engine's view of one logical connection (a WebSocket, or a fallback SSE/POST session), whatever carries it: the
/// principal, the logical clients (tabs) it carries, its subscriptions, the bounded outgoing queue and the rate limiter.
/// Sync owns it, as SignalR's core owns <c>HubConnectionContext</c>: a transport creates one, feeds it the frames it
/// receives and writes out what <see cref="Outgoing"/> yields, and knows nothing else of it (docs/architecture.md).
/// </summary>
internal sealed class ConnectionContext
{
    private readonly Channel<byte[]> _sendQueue;
    private readonly CancellationTokenSource _closed = new();
    private readonly Dictionary<string, ChannelSubscription> _subscriptions = new(StringComparer.Ordinal);
    private readonly ClientIdSet _clients = new();
    private readonly TokenBucket _rate;
    private int _closeCode;
    private long _lastFrameAt;
    private string? _closeReason;

    public ConnectionContext(string id, KefuSyncOptions options, TimeProvider time)
    {
        Id = id;
        _sendQueue = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(options.Limits.SendQueueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails instead of dropping silently
        });
        _rate = new TokenBucket(options.Limits.FramesPerSecond, options.Limits.FrameBurst, time);
        Limits = options.Limits;
    }

    public string Id { get; }

    /// <summary>The strings of this connection's last frames, reused by the parser (see <see cref="FrameStrings"/>).</summary>
    public FrameStrings Strings { get; } = new();

    /// <summary><see cref="TimeProvider"/> timestamp of when the connection opened (for the hello timeout).</summary>
    public long OpenedAt { get; init; }

    /// <summary>Timestamp of the last frame received (for the idle timeout); written by the transport's single reader.</summary>
    public long LastFrameAt { get => Volatile.Read(ref _lastFrameAt); set => Volatile.Write(ref _lastFrameAt, value); }

    public KefuLimitsOptions Limits { get; }

    /// <summary>The agent this connection may act as (the HTTP user passed the agent policy at the handshake), or null.</summary>
    public KefuPrincipal? AgentCandidate { get; init; }

    /// <summary>Set by <c>hello</c>; null until the handshake completed.</summary>
    public KefuPrincipal? Principal { get; set; }

    /// <summary>
    /// Set by <c>hello</c> when it merged (or confirmed the merge of) this browser's anonymous conversation into the
    /// visitor's: a <c>submit</c> to it commits into the visitor's conversation (docs/protocol.md §2.5).
    /// </summary>
    public string? MergedConversation { get; set; }

    /// <summary>Refused frames in a row (rate limit); the connection closes with 4429 past the flood limit.</summary>
    public int RefusedInARow { get; set; }

    public TokenBucket Rate => _rate;

    public ChannelReader<byte[]> Outgoing => _sendQueue.Reader;

    public CancellationToken Closed => _closed.Token;

    public int CloseCode => _closeCode;

    public string? CloseReason => _closeReason;

    /// <summary>
    /// Queues a frame. When the queue is full the client is not reading fast enough: rather than buffer without end, the
    /// connection is closed with 4503 and the client resumes from its last revisions (docs/protocol.md §6.1).
    /// </summary>
    public bool Send(byte[] frame)
    {
        if (_sendQueue.Writer.TryWrite(frame))
        {
            return true;
        }

        Close(CloseCodes.SlowConsumer, "send queue full; resubscribe from your last revisions");
        return false;
    }

    /// <summary>Asks the transport to close with <paramref name="code"/> once queued frames are flushed. First close wins.</summary>
    public void Close(int code, string reason)
    {
        if (Interlocked.CompareExchange(ref _closeCode, code, 0) == 0)
        {
            _closeReason = reason;
            _sendQueue.Writer.TryComplete();
            _closed.Cancel();
        }
    }

    /// <summary>Registers a logical client; false when the connection already carries the maximum.</summary>
    public bool AddClient(string client)
    {
        lock (_clients)
        {
            return _clients.Contains(client) || (_clients.Count < Limits.MaxClientsPerConnection && _clients.Add(client));
        }
    }

    public bool RemoveClient(string client)
    {
        lock (_clients)
        {
            return _clients.Remove(client);
        }
    }

    public string[] ClientsSnapshot()
    {
        lock (_clients)
        {
            return _clients.ToArray();
        }
    }

    public bool TryGetSubscription(string channel, out ChannelSubscription subscription)
    {
        lock (_subscriptions)
        {
            return _subscriptions.TryGetValue(channel, out subscription!);
        }
    }

    /// <summary>Adds the subscription when absent. Returns null when the subscription limit is reached.</summary>
    public ChannelSubscription? GetOrAddSubscription(ChannelName channel, long revision, out bool added)
    {
        lock (_subscriptions)
        {
            if (_subscriptions.TryGetValue(channel.Value, out var existing))
            {
                added = false;
                return existing;
            }

            added = true;
            if (_subscriptions.Count >= Limits.MaxSubscriptionsPerConnection)
            {
                added = false;
                return null;
            }

            var created = new ChannelSubscription(this, channel, revision);
            _subscriptions.Add(channel.Value, created);
            return created;
        }
    }

    public bool RemoveSubscription(string channel)
    {
        lock (_subscriptions)
        {
            return _subscriptions.Remove(channel);
        }
    }

    public ChannelSubscription[] SubscriptionsSnapshot()
    {
        lock (_subscriptions)
        {
            return [.. _subscriptions.Values];
        }
    }
}
