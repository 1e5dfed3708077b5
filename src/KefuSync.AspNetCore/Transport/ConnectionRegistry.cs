using System.Collections.Concurrent;
using KefuSync.Sync;

namespace KefuSync.Transport;

/// <summary>The connections open on this node (for shutdown, health, metrics and tests).</summary>
internal sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<string, ConnectionContext> _connections = new(StringComparer.Ordinal);
    private long _accepted;

    public int Count => _connections.Count;

    /// <summary>Connections accepted since start (WebSocket and fallback).</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>The open connections (a live view: connections may come and go while it is walked).</summary>
    public ICollection<ConnectionContext> All => _connections.Values;

    public void Add(ConnectionContext connection)
    {
        _connections[connection.Id] = connection;
        Interlocked.Increment(ref _accepted);
    }

    public void Remove(ConnectionContext connection) => _connections.TryRemove(connection.Id, out _);

    /// <summary>
    /// Closes connections that never said hello in time, or went silent (clients ping every <c>hb</c>). One sweep for
    /// all connections, instead of a timer per connection: idle connections then cost no CPU and no timer memory.
    /// </summary>
    public void CloseExpired(TimeProvider time, KefuLimitsOptions limits)
    {
        var now = time.GetTimestamp();
        foreach (var connection in _connections.Values)
        {
            if (connection.Principal is null && time.GetElapsedTime(connection.OpenedAt, now).TotalSeconds > limits.HelloTimeoutSeconds)
            {
                connection.Close(Protocol.CloseCodes.Timeout, "no hello");
            }
            else if (time.GetElapsedTime(connection.LastFrameAt, now).TotalSeconds > limits.IdleTimeoutSeconds)
            {
                connection.Close(Protocol.CloseCodes.Timeout, "idle");
            }
        }
    }

    /// <summary>Closes every connection with <paramref name="code"/>; clients reconnect and resume.</summary>
    public void CloseAll(int code, string reason)
    {
        foreach (var connection in _connections.Values)
        {
            connection.Close(code, reason);
        }
    }
}
