using System.Text.Json;
using KefuSync.Backplane;
using KefuSync.Protocol;
using KefuSync.Sync;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KefuSync.Presence;

/// <summary>
/// Per-channel ephemeral state (viewing, typing, cursor, page) with a TTL, fanned out: to this node's subscribers
/// (through <see cref="PresencePrivacy"/>) and to other nodes over the backplane (<see cref="PresenceCodec"/>). The
/// entries themselves are <see cref="PresenceState"/>.
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
internal sealed partial class PresenceTracker(SubscriberRegistry subscribers, IBackplane backplane, NodeIdentity node, TimeProvider time, IOptionsMonitor<KefuSyncOptions> options, ILogger<PresenceTracker> logger)
{
    private readonly PresenceState _state = new();

    private long NowMs => time.GetUtcNow().ToUnixTimeMilliseconds();

    private long TtlMs => (long)options.CurrentValue.Presence.Ttl.TotalMilliseconds;

    /// <summary>Sets a client's entry. Re-setting the same state only refreshes its expiry.</summary>
    public void Set(ConnectionContext connection, string client, ChannelName channel, ReadOnlyMemory<byte> state)
    {
        var principal = connection.Principal!;
        var view = new PresenceView(principal.Id, principal.Name, principal.RoleName, client, state.ToArray(), principal.ConversationKey, principal.Visitor?.GeneratedTag());
        if (_state.Set(channel.Value, connection.Id, client, view, NowMs + TtlMs))
        {
            Publish(channel.Value);
        }
    }

    public void Remove(ConnectionContext connection, string client, string channel)
    {
        if (_state.Remove(channel, connection.Id, client))
        {
            Publish(channel);
        }
    }

    /// <summary>Removes every entry of a client (tab closed), or of the whole connection when <paramref name="client"/> is null.</summary>
    public void RemoveAll(ConnectionContext connection, string? client)
    {
        foreach (var channel in _state.RemoveAll(connection.Id, client) ?? [])
        {
            Publish(channel);
        }
    }

    /// <summary>
    /// Whether an agent is on <c>site</c> now, on any node, and not away (<c>{"status":"away"}</c>): what a visitor's
    /// widget calls "online". The agent notification email asks it (FollowUp).
    /// </summary>
    public bool AgentsAvailable()
    {
        foreach (var view in _state.All(ChannelName.Site.Value))
        {
            if (view.Role == "agent" && !IsAway(view.State))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsAway(ReadOnlyMemory<byte> state)
    {
        try
        {
            using var doc = JsonDocument.Parse(state);
            var root = doc.RootElement;
            return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String && status.ValueEquals("away"u8);
        }
        catch (JsonException)
        {
            return false; // states are checked JSON when set; a bad remote one counts as present
        }
    }

    /// <summary>Sends the current presence list of the subscription's channel to it.</summary>
    public void SendCurrent(ChannelSubscription subscription)
    {
        var (full, agentsOnly) = PresencePrivacy.Frames(subscription.Channel.Value, _state.All(subscription.Channel.Value));
        subscription.Connection.Send(PresencePrivacy.ForViewer(subscription, full, agentsOnly));
    }

    /// <summary>Applies another node's entries for a channel.</summary>
    public void ApplyRemote(BackplaneMessage message)
    {
        PresenceView[] views;
        try
        {
            views = PresenceCodec.Decode(message.Payload.Span);
        }
        catch (JsonException ex)
        {
            Log.BadRemotePresence(logger, message.SourceNode, ex);
            return;
        }

        _state.SetRemote(message.Channel, message.SourceNode, views, NowMs + TtlMs);
        SendToLocal(message.Channel);
    }

    /// <summary>Removes expired entries, and re-announces this node's entries to other nodes every TTL/3.</summary>
    public void Sweep()
    {
        var (changed, republish) = _state.Sweep(NowMs, TtlMs / 3);
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
        => _ = PublishAsync(new BackplaneMessage(BackplaneMessageKind.Presence, channel, 0, node.Id, PresenceCodec.Encode(_state.Local(channel))));

    private async Task PublishAsync(BackplaneMessage message)
    {
        try
        {
            await backplane.PublishAsync(message).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Presence is refreshed every TTL/3, so a failed announce heals by itself; log it and go on.
            Log.PresencePublishFailed(logger, message.Channel, ex);
        }
    }

    private void SendToLocal(string channel)
    {
        var subscriptions = subscribers.Get(channel);
        if (subscriptions.Length == 0)
        {
            return;
        }

        var (full, agentsOnly) = PresencePrivacy.Frames(channel, _state.All(channel));
        foreach (var subscription in subscriptions)
        {
            subscription.Connection.Send(PresencePrivacy.ForViewer(subscription, full, agentsOnly));
        }
    }
}
