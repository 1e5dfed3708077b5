using KefuSync.Protocol;

namespace KefuSync.Presence;

/// <summary>
/// The presence entries this node knows, by channel: its own connections' entries, and other nodes' entries as they
/// announced them, each with an expiry (Unix ms of the <see cref="TimeProvider"/>). Thread-safe (one lock); it only
/// keeps state: telling subscribers and other nodes is <see cref="PresenceTracker"/>'s job.
/// </summary>
/// <remarks>
/// Guarantees: an entry refreshed at least every TTL never expires; one that is not is gone at the first
/// <see cref="Sweep"/> after its TTL; a node that stops announcing loses its entries likewise (no ghosts).
/// </remarks>
internal sealed class PresenceState
{
    private readonly Dictionary<string, Dictionary<(string Connection, string Client), PresenceEntry>> _local = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, (PresenceView[] Views, long ExpiresAtMs)>> _remote = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _lastRepublishMs;

    /// <summary>Sets a local entry; returns whether the channel's list changed (re-setting the same state only refreshes its expiry).</summary>
    public bool Set(string channel, string connectionId, string client, PresenceView view, long expiresAtMs)
    {
        lock (_gate)
        {
            if (!_local.TryGetValue(channel, out var entries))
            {
                _local[channel] = entries = [];
            }

            var key = (connectionId, client);
            var changed = !entries.TryGetValue(key, out var old) || !old.View.State.Span.SequenceEqual(view.State.Span);
            entries[key] = new PresenceEntry(view, connectionId, expiresAtMs);
            return changed;
        }
    }

    /// <summary>Removes a local entry; returns whether there was one.</summary>
    public bool Remove(string channel, string connectionId, string client)
    {
        lock (_gate)
        {
            var removed = _local.TryGetValue(channel, out var entries) && entries.Remove((connectionId, client));
            if (removed && entries!.Count == 0)
            {
                _local.Remove(channel);
            }

            return removed;
        }
    }

    /// <summary>Removes every local entry of a client, or of the whole connection when <paramref name="client"/> is null; returns the channels that changed.</summary>
    public List<string>? RemoveAll(string connectionId, string? client)
    {
        List<string>? changed = null;
        lock (_gate)
        {
            foreach (var (channel, entries) in _local)
            {
                var before = entries.Count;
                foreach (var key in entries.Keys.Where(k => k.Connection == connectionId && (client is null || k.Client == client)).ToList())
                {
                    entries.Remove(key);
                }

                if (entries.Count != before)
                {
                    (changed ??= []).Add(channel);
                }
            }

            if (changed is not null)
            {
                foreach (var channel in changed.Where(c => _local[c].Count == 0))
                {
                    _local.Remove(channel);
                }
            }
        }

        return changed;
    }

    /// <summary>Replaces another node's entries of a channel (none: the node has no entry there any more).</summary>
    public void SetRemote(string channel, string node, PresenceView[] views, long expiresAtMs)
    {
        lock (_gate)
        {
            if (!_remote.TryGetValue(channel, out var nodes))
            {
                _remote[channel] = nodes = new(StringComparer.Ordinal);
            }

            if (views.Length == 0)
            {
                nodes.Remove(node);
            }
            else
            {
                nodes[node] = (views, expiresAtMs);
            }
        }
    }

    /// <summary>
    /// Removes what expired by <paramref name="nowMs"/>. Returns the channels that changed, and (every
    /// <paramref name="republishEveryMs"/>) the channels whose local entries must be announced to other nodes again.
    /// </summary>
    public (List<string> Changed, string[] Republish) Sweep(long nowMs, long republishEveryMs)
    {
        var changed = new List<string>();
        string[] republish = [];
        lock (_gate)
        {
            foreach (var (channel, entries) in _local)
            {
                var expired = entries.Where(e => e.Value.ExpiresAtMs <= nowMs).Select(e => e.Key).ToList();
                foreach (var key in expired)
                {
                    entries.Remove(key);
                }

                if (expired.Count > 0)
                {
                    changed.Add(channel);
                }
            }

            foreach (var channel in changed.Where(c => _local[c].Count == 0))
            {
                _local.Remove(channel);
            }

            foreach (var (channel, nodes) in _remote)
            {
                var expiredNodes = nodes.Where(n => n.Value.ExpiresAtMs <= nowMs).Select(n => n.Key).ToList();
                foreach (var node in expiredNodes)
                {
                    nodes.Remove(node);
                }

                if (expiredNodes.Count > 0)
                {
                    changed.Add(channel);
                }
            }

            if (nowMs - _lastRepublishMs >= republishEveryMs)
            {
                _lastRepublishMs = nowMs;
                republish = [.. _local.Keys];
            }
        }

        return (changed, republish);
    }

    /// <summary>This node's entries of a channel (what it announces to other nodes).</summary>
    public PresenceView[] Local(string channel)
    {
        lock (_gate)
        {
            return _local.TryGetValue(channel, out var entries) ? [.. entries.Values.Select(e => e.View)] : [];
        }
    }

    /// <summary>Every entry of a channel, this node's and other nodes'.</summary>
    public PresenceView[] All(string channel)
    {
        lock (_gate)
        {
            var result = new List<PresenceView>();
            if (_local.TryGetValue(channel, out var entries))
            {
                result.AddRange(entries.Values.Select(e => e.View));
            }

            if (_remote.TryGetValue(channel, out var nodes))
            {
                foreach (var (views, _) in nodes.Values)
                {
                    result.AddRange(views);
                }
            }

            return [.. result];
        }
    }
}
