using System.Collections.Concurrent;

namespace KefuSync.Transport;

/// <summary>The connections open on this node (for shutdown, health, metrics and tests).</summary>
internal sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<string, KefuConnection> _connections = new(StringComparer.Ordinal);
    private long _accepted;

    public int Count => _connections.Count;

    /// <summary>Connections accepted since start (WebSocket and fallback).</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    public void Add(KefuConnection connection)
    {
        _connections[connection.Id] = connection;
        Interlocked.Increment(ref _accepted);
    }

    public void Remove(KefuConnection connection) => _connections.TryRemove(connection.Id, out _);

    public KefuConnection[] Snapshot() => [.. _connections.Values];

    /// <summary>Closes every connection with <paramref name="code"/>; clients reconnect and resume.</summary>
    public void CloseAll(int code, string reason)
    {
        foreach (var connection in _connections.Values)
        {
            connection.Close(code, reason);
        }
    }
}
