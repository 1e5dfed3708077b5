using System.Text.Json;
using KefuSync.Backplane;
using KefuSync.Protocol;
using KefuSync.Sync;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KefuSync.Presence;

/// <summary>
/// Per-channel ephemeral state (viewing, typing, cursor, page) with a TTL.
/// </summary>
/// <remarks>
/// Guarantees:
/// <list type="bullet">
/// <item>An entry whose client heartbeats (re-sends its presence at least every TTL/3) never expires, however long it stays.</item>
/// <item>An entry whose client stops heartbeating is removed within one TTL (plus one sweep interval); a closed connection removes its entries at once.</item>
/// <item>Entries of other nodes arrive over the backplane with their TTL; a node that dies stops refreshing them, so they expire within one TTL: no ghosts.</item>
/// </list>
/// Every change sends the channel's full list, so a client that missed a frame is correct again at the next one.
/// </remarks>
internal sealed partial class PresenceTracker
{
    private readonly Dictionary<string, Dictionary<(string Connection, string Client), PresenceEntry>> _local = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, (PresenceView[] Views, long ExpiresAtMs)>> _remote = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly SubscriberRegistry _subscribers;
    private readonly IBackplane _backplane;
    private readonly NodeIdentity _node;
    private readonly TimeProvider _time;
    private readonly IOptionsMonitor<KefuSyncOptions> _options;
    private readonly ILogger<PresenceTracker> _logger;
    private long _lastRepublishMs;

    public PresenceTracker(SubscriberRegistry subscribers, IBackplane backplane, NodeIdentity node, TimeProvider time, IOptionsMonitor<KefuSyncOptions> options, ILogger<PresenceTracker> logger)
    {
        _subscribers = subscribers;
        _backplane = backplane;
        _node = node;
        _time = time;
        _options = options;
        _logger = logger;
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private long TtlMs => (long)_options.CurrentValue.Presence.Ttl.TotalMilliseconds;

    /// <summary>Sets (or with an empty state removes) a client's entry. Re-setting the same state only refreshes its expiry.</summary>
    public void Set(ConnectionContext connection, string client, ChannelName channel, ReadOnlyMemory<byte> state)
    {
        var principal = connection.Principal!;
        var view = new PresenceView(principal.Id, principal.Name, principal.RoleName, client, state.ToArray(), principal.ConversationKey);
        bool changed;
        lock (_gate)
        {
            if (!_local.TryGetValue(channel.Value, out var entries))
            {
                _local[channel.Value] = entries = [];
            }

            var key = (connection.Id, client);
            changed = !entries.TryGetValue(key, out var old) || !old.View.State.Span.SequenceEqual(state.Span);
            entries[key] = new PresenceEntry(view, connection.Id, NowMs + TtlMs);
        }

        if (changed)
        {
            Publish(channel.Value);
        }
    }

    public void Remove(ConnectionContext connection, string client, string channel)
    {
        bool removed;
        lock (_gate)
        {
            removed = _local.TryGetValue(channel, out var entries) && entries.Remove((connection.Id, client));
            if (removed && entries!.Count == 0)
            {
                _local.Remove(channel);
            }
        }

        if (removed)
        {
            Publish(channel);
        }
    }

    /// <summary>Removes every entry of a client (tab closed), or of the whole connection when <paramref name="client"/> is null.</summary>
    public void RemoveAll(ConnectionContext connection, string? client)
    {
        List<string>? changed = null;
        lock (_gate)
        {
            foreach (var (channel, entries) in _local)
            {
                var before = entries.Count;
                foreach (var key in entries.Keys.Where(k => k.Connection == connection.Id && (client is null || k.Client == client)).ToList())
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

        foreach (var channel in changed ?? [])
        {
            Publish(channel);
        }
    }

    /// <summary>Sends the current presence list of the subscription's channel to it.</summary>
    public void SendCurrent(ChannelSubscription subscription)
    {
        var (full, agentsOnly) = BuildFrames(subscription.Channel.Value);
        if (full is not null)
        {
            subscription.Connection.Send(ForViewer(subscription, full, agentsOnly!));
        }
    }

    /// <summary>Whether any agent is present on the <c>site</c> channel (on any node).</summary>
    public bool AnyAgentOnline()
    {
        lock (_gate)
        {
            return All("site").Any(v => v.Role == "agent");
        }
    }

    /// <summary>Applies another node's entries for a channel.</summary>
    public void ApplyRemote(BackplaneMessage message)
    {
        PresenceView[] views;
        try
        {
            views = Decode(message.Payload.Span);
        }
        catch (JsonException ex)
        {
            Log.BadRemotePresence(_logger, message.SourceNode, ex);
            return;
        }

        lock (_gate)
        {
            if (!_remote.TryGetValue(message.Channel, out var nodes))
            {
                _remote[message.Channel] = nodes = new(StringComparer.Ordinal);
            }

            if (views.Length == 0)
            {
                nodes.Remove(message.SourceNode);
            }
            else
            {
                nodes[message.SourceNode] = (views, NowMs + TtlMs);
            }
        }

        SendToLocal(message.Channel);
    }

    /// <summary>Removes expired entries, and re-announces this node's entries to other nodes every TTL/3.</summary>
    public void Sweep()
    {
        var now = NowMs;
        var changed = new List<string>();
        string[] republish = [];
        lock (_gate)
        {
            foreach (var (channel, entries) in _local)
            {
                var expired = entries.Where(e => e.Value.ExpiresAtMs <= now).Select(e => e.Key).ToList();
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
                var expiredNodes = nodes.Where(n => n.Value.ExpiresAtMs <= now).Select(n => n.Key).ToList();
                foreach (var node in expiredNodes)
                {
                    nodes.Remove(node);
                }

                if (expiredNodes.Count > 0)
                {
                    changed.Add(channel);
                }
            }

            if (now - _lastRepublishMs >= TtlMs / 3)
            {
                _lastRepublishMs = now;
                republish = [.. _local.Keys];
            }
        }

        foreach (var channel in changed.Distinct())
        {
            // Announce this node's (possibly now empty) list, so other nodes drop expired entries at once too.
            Publish(channel);
        }

        foreach (var channel in republish.Except(changed))
        {
            Announce(channel);
        }
    }

    private void Publish(string channel)
    {
        SendToLocal(channel);
        Announce(channel);
    }

    private void Announce(string channel)
    {
        PresenceView[] mine;
        lock (_gate)
        {
            mine = _local.TryGetValue(channel, out var entries) ? [.. entries.Values.Select(e => e.View)] : [];
        }

        var payload = Encode(mine);
        _ = PublishAsync(new BackplaneMessage(BackplaneMessageKind.Presence, channel, 0, _node.Id, payload));
    }

    private async Task PublishAsync(BackplaneMessage message)
    {
        try
        {
            await _backplane.PublishAsync(message).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Presence is refreshed every TTL/3, so a failed announce heals by itself; log it and go on.
            Log.PresencePublishFailed(_logger, message.Channel, ex);
        }
    }

    private void SendToLocal(string channel)
    {
        var subscriptions = _subscribers.Get(channel);
        if (subscriptions.Length == 0)
        {
            return;
        }

        var (full, agentsOnly) = BuildFrames(channel);
        full ??= FrameWriter.Presence(channel, []);
        agentsOnly ??= full;
        foreach (var subscription in subscriptions)
        {
            subscription.Connection.Send(ForViewer(subscription, full, agentsOnly));
        }
    }

    private static byte[] ForViewer(ChannelSubscription subscription, byte[] full, byte[] agentsOnly)
        => subscription.Channel.Kind == ChannelKind.Site && subscription.Connection.Principal?.Role != Security.PrincipalRole.Agent ? agentsOnly : full;

    private (byte[]? Full, byte[]? AgentsOnly) BuildFrames(string channel)
    {
        PresenceView[] views;
        lock (_gate)
        {
            views = [.. All(channel)];
        }

        var full = FrameWriter.Presence(channel, views);
        // On the site channel visitors may only learn which agents are online, never who else visits and where.
        var agentsOnly = channel == "site" ? FrameWriter.Presence(channel, views.Where(v => v.Role == "agent")) : full;
        return (full, agentsOnly);
    }

    private IEnumerable<PresenceView> All(string channel)
    {
        if (_local.TryGetValue(channel, out var entries))
        {
            foreach (var entry in entries.Values)
            {
                yield return entry.View;
            }
        }

        if (_remote.TryGetValue(channel, out var nodes))
        {
            foreach (var (views, _) in nodes.Values)
            {
                foreach (var view in views)
                {
                    yield return view;
                }
            }
        }
    }

    private static byte[] Encode(PresenceView[] views)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var v in views)
            {
                writer.WriteStartArray();
                writer.WriteStringValue(v.PrincipalId);
                writer.WriteStringValue(v.Name);
                writer.WriteStringValue(v.Role);
                writer.WriteStringValue(v.Client);
                writer.WriteRawValue(v.State.Span, skipInputValidation: true);
                writer.WriteStringValue(v.ConversationKey);
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
        }

        return buffer.ToArray();
    }

    private static PresenceView[] Decode(ReadOnlySpan<byte> payload)
    {
        using var doc = JsonDocument.Parse(payload.ToArray());
        var result = new List<PresenceView>();
        foreach (var item in doc.RootElement.EnumerateArray())
        {
            result.Add(new PresenceView(
                item[0].GetString() ?? "",
                item[1].GetString() ?? "",
                item[2].GetString() ?? "",
                item[3].GetString() ?? "",
                System.Text.Encoding.UTF8.GetBytes(item[4].GetRawText()),
                item.GetArrayLength() > 5 ? item[5].GetString() : null));
        }

        return [.. result];
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2001, EventName = "PresencePublishFailed", Level = LogLevel.Warning, Message = "Announcing presence of {Channel} to other nodes failed; it is retried at the next heartbeat.")]
        public static partial void PresencePublishFailed(ILogger logger, string channel, Exception exception);

        [LoggerMessage(EventId = 2002, EventName = "BadRemotePresence", Level = LogLevel.Warning, Message = "Ignored a malformed presence announcement from node {Node}.")]
        public static partial void BadRemotePresence(ILogger logger, string node, Exception exception);
    }
}
