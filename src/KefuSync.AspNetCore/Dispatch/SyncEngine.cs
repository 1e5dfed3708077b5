using KefuSync.Availability;
using KefuSync.Conversations;
using KefuSync.Diagnostics;
using KefuSync.Presence;
using KefuSync.Protocol;
using KefuSync.Security;
using KefuSync.Stores;
using KefuSync.Sync;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KefuSync.Dispatch;

/// <summary>
/// Handles the frames of one connection (docs/protocol.md §2.1), whatever transport carries them. Frames of a
/// connection are handled one at a time, in order.
/// </summary>
internal sealed partial class SyncEngine(
    SubscriberRegistry subscribers,
    CommitPipeline committer,
    FanOut fanOut,
    TextDocuments documents,
    PresenceTracker presence,
    InboxProjection inbox,
    IOpStore store,
    VisitorTokenService tokens,
    AvailabilityService availability,
    KefuMetrics metrics,
    IOptionsMonitor<KefuSyncOptions> options,
    ILogger<SyncEngine> logger)
{
    private const int MaxPresenceBytes = 1024;
    private const int MaxHistoryPage = 200;
    private const int DefaultHistoryPage = 50;
    private const int MaxListPage = 500;
    private const int DefaultListPage = 100;

    public async Task HandleAsync(ConnectionContext connection, ReadOnlyMemory<byte> utf8, CancellationToken cancellationToken)
    {
        var limits = options.CurrentValue.Limits;
        if (!connection.Rate.TryTake())
        {
            if (++connection.RefusedInARow >= limits.FloodCloseAfter)
            {
                connection.Close(CloseCodes.Flood, "too many frames");
                return;
            }

            Error(connection, ErrorCodes.RateLimited, $"More than {limits.FramesPerSecond} frames per second; slow down.");
            return;
        }

        connection.RefusedInARow = 0;
        if (!FrameParser.TryParse(utf8, out var frame, out var parseError))
        {
            Error(connection, ErrorCodes.BadFrame, parseError!);
            return;
        }

        if (connection.Principal is null)
        {
            if (frame.Type != FrameType.Hello)
            {
                Error(connection, ErrorCodes.NotReady, "The first frame must be 'hello'.");
                connection.Close(CloseCodes.ProtocolError, "hello expected");
                return;
            }

            Hello(connection, frame);
            return;
        }

        switch (frame.Type)
        {
            case FrameType.Ping:
                if (TryQuery(connection, frame, out var ping))
                {
                    connection.Send(FrameWriter.Pong(ping));
                }

                return;
            case FrameType.Sub:
                await SubscribeAsync(connection, frame, cancellationToken).ConfigureAwait(false);
                return;
            case FrameType.Unsub:
                Unsubscribe(connection, frame);
                return;
            case FrameType.Submit:
                await SubmitAsync(connection, frame, cancellationToken).ConfigureAwait(false);
                return;
            case FrameType.Presence:
                SetPresence(connection, frame);
                return;
            case FrameType.History:
                await HistoryAsync(connection, frame, cancellationToken).ConfigureAwait(false);
                return;
            case FrameType.Bye:
                Bye(connection, frame);
                return;
            case FrameType.List:
                await ListAsync(connection, frame, cancellationToken).ConfigureAwait(false);
                return;
            case FrameType.Hello:
                Error(connection, ErrorCodes.BadFrame, "'hello' was already received.");
                return;
            default:
                Error(connection, ErrorCodes.UnknownType, $"Unknown frame type '{Clip(frame.TypeName)}'.");
                return;
        }
    }

    /// <summary>The connection is gone: drop its subscriptions and presence at once.</summary>
    public void Disconnected(ConnectionContext connection)
    {
        foreach (var subscription in connection.SubscriptionsSnapshot())
        {
            subscribers.Remove(subscription);
        }

        if (connection.Principal is not null)
        {
            presence.RemoveAll(connection, client: null);
        }
    }

    private void Hello(ConnectionContext connection, in ClientFrame frame)
    {
        var current = options.CurrentValue;
        if (frame.Version != ProtocolConstants.Version)
        {
            Error(connection, ErrorCodes.UnsupportedVersion, $"Protocol version {frame.Version?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(none)"} is not supported; this server speaks {ProtocolConstants.Version}.");
            connection.Close(CloseCodes.ProtocolError, "unsupported version");
            return;
        }

        string? issuedToken = null;
        KefuPrincipal principal;
        if (frame.Agent)
        {
            if (connection.AgentCandidate is null)
            {
                Error(connection, ErrorCodes.Forbidden, "This user does not pass the agent policy.");
                connection.Close(CloseCodes.Forbidden, "not an agent");
                return;
            }

            principal = connection.AgentCandidate;
        }
        else
        {
            VisitorIdentity? identity = null;
            var check = frame.Token is null ? TokenCheck.Expired : tokens.Read(frame.Token, out identity);
            if (check == TokenCheck.Forged)
            {
                Log.ForgedToken(logger, connection.Id);
                Error(connection, ErrorCodes.AuthFailed, "The visitor token is not valid.");
                connection.Close(CloseCodes.AuthFailed, "bad token");
                return;
            }

            if (check == TokenCheck.Expired && identity is { IsAnonymous: false })
            {
                // A host identity past its lifetime: the page renders a fresh one; don't silently turn it anonymous.
                Error(connection, ErrorCodes.AuthFailed, "The visitor token has expired; reload the page.");
                connection.Close(CloseCodes.AuthFailed, "expired token");
                return;
            }

            if (check == TokenCheck.Expired)
            {
                if (!current.Identity.AllowAnonymous)
                {
                    Error(connection, ErrorCodes.AuthFailed, "Anonymous visitors are not allowed on this site.");
                    connection.Close(CloseCodes.AuthFailed, "anonymous not allowed");
                    return;
                }

                (issuedToken, identity) = tokens.IssueAnonymous();
            }

            principal = new KefuPrincipal(identity!.Id, identity.Name, PrincipalRole.Visitor, ConversationKeys.ForVisitor(identity.Id), identity);
        }

        connection.Principal = principal;
        var ttl = (int)current.Presence.Ttl.TotalMilliseconds;
        connection.Send(FrameWriter.Welcome(
            connection.Id,
            principal.Id,
            principal.Name,
            principal.RoleName,
            issuedToken,
            principal.ConversationKey,
            heartbeatMs: Math.Max(1000, ttl / 3),
            ttlMs: ttl,
            maxFrame: current.Limits.MaxFrameBytes,
            maxText: current.Limits.MaxMessageChars,
            availability: principal.Role == PrincipalRole.Visitor ? availability.For(principal.Visitor) : null));
    }

    private async Task SubscribeAsync(ConnectionContext connection, ClientFrame frame, CancellationToken cancellationToken)
    {
        if (!TryChannel(connection, frame, write: false, out var channel) || !IsClient(connection, frame))
        {
            return;
        }

        if (frame.Revision is not { } revision || revision < 0)
        {
            Error(connection, ErrorCodes.BadFrame, "'sub' needs 'rev': the last revision applied, 0 or more.", client: frame.Client, channel: channel.Value);
            return;
        }

        if (frame.Count is < 1)
        {
            Error(connection, ErrorCodes.BadFrame, "'n' must be a positive integer.", client: frame.Client, channel: channel.Value);
            return;
        }

        if (channel.Kind != ChannelKind.Site && revision > 0)
        {
            // A client can only know revisions the store committed, so one above the store's head means the store lost or
            // replaced its data (a reset, a restore). Subscribing anyway would drop every new op as "already seen" (a deaf
            // subscription): refuse, with the head, so the client resets its state of the channel and subscribes from 0.
            long head;
            try
            {
                head = await store.GetRevisionAsync(channel.Value, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (StoreUnavailableException.ShouldWrap(ex, cancellationToken))
            {
                Log.SubscribeFailed(logger, channel.Value, ex);
                Error(connection, ErrorCodes.StoreUnavailable, "The store is unavailable; subscribe again later.", channel: channel.Value, client: frame.Client);
                return;
            }

            if (revision > head)
            {
                Error(connection, ErrorCodes.FutureBase, $"Revision {revision} is ahead of the head {head}: reset this channel and subscribe from 0.", client: frame.Client, channel: channel.Value, head: head);
                return;
            }
        }

        if (!TryAddClient(connection, frame))
        {
            return;
        }

        var subscription = connection.GetOrAddSubscription(channel, revision, out var added);
        if (subscription is null)
        {
            Error(connection, ErrorCodes.LimitExceeded, $"At most {connection.Limits.MaxSubscriptionsPerConnection} subscriptions per connection.", channel: channel.Value, client: frame.Client);
            return;
        }

        subscription.AddClient(frame.Client!);
        if (added)
        {
            subscribers.Add(subscription);
        }

        if (channel.Kind == ChannelKind.Site)
        {
            // Presence-only channel: no log to replay.
            presence.SendCurrent(subscription);
            connection.Send(FrameWriter.Subbed(channel.Value, 0));
            return;
        }

        if (!subscription.RequestReplay(revision))
        {
            presence.SendCurrent(subscription);
            return; // a repair is running; it reads from the rewound revision and sends `subbed`
        }

        try
        {
            if (revision == 0)
            {
                await SendInitialStateAsync(subscription, frame.Count, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (StoreUnavailableException ex)
        {
            subscription.AbortRepair();
            Log.SubscribeFailed(logger, channel.Value, ex.InnerException ?? ex);
            Error(connection, ErrorCodes.StoreUnavailable, "The store is unavailable; subscribe again later.", channel: channel.Value, client: frame.Client);
            return;
        }

        presence.SendCurrent(subscription);
        fanOut.StartRepair(subscription, sendSubbed: true);
    }

    /// <summary>
    /// A first subscription: a text channel starts from a snapshot of the document; a message channel asked for its last
    /// <c>n</c> ops starts from a revision marker, and older messages are paged with <c>history</c>.
    /// </summary>
    private async Task SendInitialStateAsync(ChannelSubscription subscription, long? tail, CancellationToken cancellationToken)
    {
        var channel = subscription.Channel;
        if (channel.IsText)
        {
            var (text, revision) = await documents.SnapshotAsync(channel, cancellationToken).ConfigureAwait(false);
            subscription.SendSnapshot(revision, FrameWriter.Snapshot(channel.Value, revision, text));
            return;
        }

        if (tail is > 0)
        {
            long head;
            try
            {
                head = await store.GetRevisionAsync(channel.Value, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (StoreUnavailableException.ShouldWrap(ex, cancellationToken))
            {
                throw new StoreUnavailableException(channel.Value, ex);
            }

            var from = Math.Max(0, head - tail.Value);
            if (from > 0)
            {
                subscription.SendSnapshot(from, FrameWriter.Snapshot(channel.Value, from, document: null));
            }
        }
    }

    private void Unsubscribe(ConnectionContext connection, in ClientFrame frame)
    {
        if (!IsClient(connection, frame))
        {
            return;
        }

        if (frame.Channel is null)
        {
            Error(connection, ErrorCodes.BadFrame, "'unsub' needs 'ch'.", client: frame.Client);
            return;
        }

        if (!ChannelName.TryParse(frame.Channel, out _))
        {
            Error(connection, ErrorCodes.InvalidChannel, "Unknown or malformed channel name.", client: frame.Client);
            return;
        }

        // Leaving a channel this client does not hold is a no-op, not an error: unsub is idempotent, and unanswered.
        if (connection.TryGetSubscription(frame.Channel, out var subscription))
        {
            presence.Remove(connection, frame.Client!, frame.Channel);
            if (subscription.RemoveClient(frame.Client!) && connection.RemoveSubscription(frame.Channel))
            {
                subscribers.Remove(subscription);
            }
        }
    }

    private async Task SubmitAsync(ConnectionContext connection, ClientFrame frame, CancellationToken cancellationToken)
    {
        if (!TryChannel(connection, frame, write: true, out var channel) || !IsClient(connection, frame))
        {
            return;
        }

        if (!Identifiers.IsOpId(frame.Id))
        {
            Error(connection, ErrorCodes.BadFrame, "'id' must be 1-64 printable ASCII characters.", client: frame.Client, channel: channel.Value);
            return;
        }

        if (frame.Op.IsEmpty || frame.Revision is null)
        {
            Error(connection, ErrorCodes.BadFrame, "'submit' needs 'op' and 'rev'.", client: frame.Client, channel: channel.Value, id: frame.Id);
            return;
        }

        if (frame.Revision < 0)
        {
            // On message channels the base is informational (§4.3), but it is still a revision: never negative.
            Error(connection, ErrorCodes.BadFrame, "'rev' must not be negative.", client: frame.Client, channel: channel.Value, id: frame.Id);
            return;
        }

        if (channel.Kind == ChannelKind.Site)
        {
            Error(connection, ErrorCodes.Forbidden, "The site channel carries presence only.", client: frame.Client, channel: channel.Value, id: frame.Id);
            return;
        }

        if (!TryAddClient(connection, frame))
        {
            return;
        }

        var result = await committer.SubmitAsync(connection.Principal!, channel, frame.Id!, frame.Revision.Value, frame.Op, cancellationToken).ConfigureAwait(false);
        if (result.Committed)
        {
            connection.Send(FrameWriter.Ack(frame.Client!, channel.Value, frame.Id!, result.Revision, result.Duplicate));
        }
        else
        {
            Error(connection, result.ErrorCode!, result.ErrorMessage!, frame.Client, channel.Value, frame.Id, head: result.ErrorCode == ErrorCodes.FutureBase ? result.Revision : null);
        }
    }

    private void SetPresence(ConnectionContext connection, in ClientFrame frame)
    {
        if (!IsClient(connection, frame))
        {
            return;
        }

        if (frame.Channel is null)
        {
            Error(connection, ErrorCodes.BadFrame, "'presence' needs 'ch'.", client: frame.Client);
            return;
        }

        if (!ChannelName.TryParse(frame.Channel, out var channel))
        {
            Error(connection, ErrorCodes.InvalidChannel, "Unknown or malformed channel name.", client: frame.Client);
            return;
        }

        if (!ChannelAccess.CanSetPresence(connection.Principal!, channel))
        {
            Error(connection, ErrorCodes.Forbidden, "You may not use this channel.", client: frame.Client, channel: channel.Value);
            return;
        }

        if (frame.State.IsEmpty)
        {
            Error(connection, ErrorCodes.BadFrame, "'presence' needs 's': an object, or null to remove the entry.", client: frame.Client, channel: channel.Value);
            return;
        }

        if (frame.StateIsNull)
        {
            // Removing needs no client slot: a client the limit refused has no entry, and removing nothing is fine.
            presence.Remove(connection, frame.Client!, channel.Value);
            return;
        }

        if (frame.State.Length > MaxPresenceBytes)
        {
            Error(connection, ErrorCodes.BadFrame, $"Presence state is larger than {MaxPresenceBytes} bytes.", client: frame.Client, channel: channel.Value);
            return;
        }

        // Last, so a refused frame gets exactly one error: the limit's.
        if (!TryAddClient(connection, frame))
        {
            return;
        }

        presence.Set(connection, frame.Client!, channel, frame.State);
    }

    private async Task HistoryAsync(ConnectionContext connection, ClientFrame frame, CancellationToken cancellationToken)
    {
        if (!TryQuery(connection, frame, out var query) || !TryChannel(connection, frame, write: false, out var channel))
        {
            return;
        }

        if (frame.Revision is < 0)
        {
            Error(connection, ErrorCodes.BadFrame, "'rev' must not be negative.", channel: channel.Value, query: query);
            return;
        }

        if (frame.Count is < 1 or > MaxHistoryPage)
        {
            Error(connection, ErrorCodes.BadFrame, $"'n' must be between 1 and {MaxHistoryPage}.", channel: channel.Value, query: query);
            return;
        }

        var before = frame.Revision ?? long.MaxValue;
        var count = (int)(frame.Count ?? DefaultHistoryPage);
        try
        {
            var ops = await store.ReadBeforeAsync(channel.Value, before, count, cancellationToken).ConfigureAwait(false);
            var wire = new WireOp[ops.Count];
            for (var i = 0; i < wire.Length; i++)
            {
                wire[i] = new WireOp(ops[i].Revision, ops[i].ClientOpId, ops[i].Author, ops[i].Timestamp.ToUnixTimeMilliseconds(), ops[i].Payload);
            }

            connection.Send(FrameWriter.History(channel.Value, query, wire));
        }
        catch (Exception ex) when (StoreUnavailableException.ShouldWrap(ex, cancellationToken))
        {
            Log.SubscribeFailed(logger, channel.Value, ex);
            Error(connection, ErrorCodes.StoreUnavailable, "The store is unavailable; ask again later.", channel: channel.Value, query: query);
        }
    }

    private async Task ListAsync(ConnectionContext connection, ClientFrame frame, CancellationToken cancellationToken)
    {
        if (!TryQuery(connection, frame, out var query))
        {
            return;
        }

        var principal = connection.Principal!;
        if (principal.Role != PrincipalRole.Agent)
        {
            Error(connection, ErrorCodes.Forbidden, "Only agents list conversations.", query: query);
            return;
        }

        if (frame.Filter is not null && Array.IndexOf(ConversationRules.ListFilters, frame.Filter) < 0)
        {
            Error(connection, ErrorCodes.BadFrame, "'f' must be all, mine, unassigned or closed.", query: query);
            return;
        }

        if (frame.Count is < 1 or > MaxListPage)
        {
            Error(connection, ErrorCodes.BadFrame, $"'n' must be between 1 and {MaxListPage}.", query: query);
            return;
        }

        try
        {
            var (items, revision) = await inbox.ListAsync(frame.Filter ?? "all", principal.Id, (int)(frame.Count ?? DefaultListPage), cancellationToken).ConfigureAwait(false);
            connection.Send(FrameWriter.List(query, revision, items.Select(i => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(i, InboxJsonContext.Default.ConversationSummary))));
        }
        catch (Exception ex) when (StoreUnavailableException.ShouldWrap(ex, cancellationToken))
        {
            Log.SubscribeFailed(logger, ChannelName.Inbox.Value, ex);
            Error(connection, ErrorCodes.StoreUnavailable, "The store is unavailable; ask again later.", query: query);
        }
    }

    private void Bye(ConnectionContext connection, in ClientFrame frame)
    {
        // Not TryAddClient: saying goodbye must not take a slot (at the limit, that would refuse the bye of an unknown client).
        if (!IsClient(connection, frame))
        {
            return;
        }

        var client = frame.Client!;
        presence.RemoveAll(connection, client);
        foreach (var subscription in connection.SubscriptionsSnapshot())
        {
            if (subscription.RemoveClient(client) && connection.RemoveSubscription(subscription.Channel.Value))
            {
                subscribers.Remove(subscription);
            }
        }

        connection.RemoveClient(client);
    }

    private bool TryChannel(ConnectionContext connection, in ClientFrame frame, bool write, out ChannelName channel)
    {
        if (frame.Channel is null)
        {
            channel = default;
            Error(connection, ErrorCodes.BadFrame, $"'{frame.TypeName}' needs 'ch'.", client: SafeClient(frame), id: SafeId(frame), query: SafeQuery(frame));
            return false;
        }

        if (!ChannelName.TryParse(frame.Channel, out channel))
        {
            Error(connection, ErrorCodes.InvalidChannel, "Unknown or malformed channel name.", client: SafeClient(frame), id: SafeId(frame), query: SafeQuery(frame));
            return false;
        }

        var principal = connection.Principal!;
        var allowed = write ? ChannelAccess.CanSubmit(principal, channel) : ChannelAccess.CanRead(principal, channel);
        if (!allowed)
        {
            Log.Forbidden(logger, principal.Id, channel.Value);
            Error(connection, ErrorCodes.Forbidden, "You may not use this channel.", client: SafeClient(frame), channel: channel.Value, id: SafeId(frame), query: SafeQuery(frame));
            return false;
        }

        return true;
    }

    /// <summary>Checks the shape of <c>c</c> (a <c>bad_frame</c> otherwise); takes no client slot.</summary>
    private bool IsClient(ConnectionContext connection, in ClientFrame frame)
    {
        if (!Identifiers.IsClientId(frame.Client))
        {
            Error(connection, ErrorCodes.BadFrame, "'c' must be 1-64 characters of [A-Za-z0-9_-].");
            return false;
        }

        return true;
    }

    /// <summary>
    /// Registers the logical client (checked by <see cref="IsClient"/>) as the frame is about to change state; a frame
    /// refused for its members never takes a slot.
    /// </summary>
    private bool TryAddClient(ConnectionContext connection, in ClientFrame frame)
    {
        if (!connection.AddClient(frame.Client!))
        {
            Error(connection, ErrorCodes.LimitExceeded, $"At most {connection.Limits.MaxClientsPerConnection} logical clients per connection.", client: frame.Client);
            return false;
        }

        return true;
    }

    /// <summary>Reads <c>q</c> for the frames that echo it; one that is not 1-64 printable ASCII is a <c>bad_frame</c> (never silently dropped).</summary>
    private bool TryQuery(ConnectionContext connection, in ClientFrame frame, out string? query)
    {
        query = frame.Query;
        if (Identifiers.IsQuery(query))
        {
            return true;
        }

        Error(connection, ErrorCodes.BadFrame, "'q' must be 1-64 printable ASCII characters.", client: SafeClient(frame), channel: SafeChannel(frame));
        return false;
    }

    private void Error(ConnectionContext connection, string code, string message, string? client = null, string? channel = null, string? id = null, string? query = null, long? head = null)
    {
        metrics.Errors.Add(1, new KeyValuePair<string, object?>("code", code));
        connection.Send(FrameWriter.Error(code, message, client, channel, id, query, head));
    }

    private static string? SafeClient(in ClientFrame frame) => Identifiers.IsClientId(frame.Client) ? frame.Client : null;

    private static string? SafeId(in ClientFrame frame) => Identifiers.IsOpId(frame.Id) ? frame.Id : null;

    private static string? SafeQuery(in ClientFrame frame) => frame.Query is not null && Identifiers.IsQuery(frame.Query) ? frame.Query : null;

    private static string? SafeChannel(in ClientFrame frame) => ChannelName.TryParse(frame.Channel, out var channel) ? channel.Value : null;

    private static string Clip(string? value) => value is null ? "" : value.Length <= 32 ? value : value[..32];

    private static partial class Log
    {
        [LoggerMessage(EventId = 1401, EventName = "ForgedToken", Level = LogLevel.Warning, Message = "Connection {Connection} presented a forged or tampered visitor token.")]
        public static partial void ForgedToken(ILogger logger, string connection);

        [LoggerMessage(EventId = 1402, EventName = "Forbidden", Level = LogLevel.Information, Message = "Principal {Principal} was refused channel {Channel}.")]
        public static partial void Forbidden(ILogger logger, string principal, string channel);

        [LoggerMessage(EventId = 1403, EventName = "SubscribeFailed", Level = LogLevel.Warning, Message = "Reading {Channel} from the store failed.")]
        public static partial void SubscribeFailed(ILogger logger, string channel, Exception exception);
    }
}
