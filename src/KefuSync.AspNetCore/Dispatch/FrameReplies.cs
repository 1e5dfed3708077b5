using KefuSync.Diagnostics;
using KefuSync.Protocol;
using KefuSync.Security;
using KefuSync.Sync;
using Microsoft.Extensions.Logging;

namespace KefuSync.Dispatch;

/// <summary>
/// The checks every frame handler shares, each answering with its documented error (docs/protocol.md §2.3): the
/// members <c>c</c>, <c>ch</c> and <c>q</c>, the channel access rule, the logical-client limit; and the error frame.
/// </summary>
internal sealed partial class FrameReplies(KefuMetrics metrics, ILogger<FrameReplies> logger)
{
    public void Error(ConnectionContext connection, string code, string message, string? client = null, string? channel = null, string? id = null, string? query = null, long? head = null)
    {
        metrics.Errors.Add(1, new KeyValuePair<string, object?>("code", code));
        connection.Send(FrameWriter.Error(code, message, client, channel, id, query, head));
    }

    /// <summary>Reads <c>ch</c> and checks the principal may read (or write) it.</summary>
    public bool TryChannel(ConnectionContext connection, in ClientFrame frame, bool write, out ChannelName channel)
    {
        if (frame.Channel is null)
        {
            channel = default;
            Error(connection, ErrorCodes.BadFrame, $"'{frame.TypeName}' needs 'ch'.", client: SafeClient(frame), id: SafeId(frame), query: SafeQuery(frame));
            return false;
        }

        if (!connection.Strings.TryChannel(frame.Channel, out channel))
        {
            Error(connection, ErrorCodes.InvalidChannel, "Unknown or malformed channel name.", client: SafeClient(frame), id: SafeId(frame), query: SafeQuery(frame));
            return false;
        }

        var principal = connection.Principal!;
        if (write && channel.Kind == ChannelKind.Conversation && channel.Key == connection.MergedConversation)
        {
            // An outbox written before the sign-in resends to the anonymous conversation: its history is in the visitor's
            // conversation now, so the message goes there too, with its id (a copy of it committed before is a dup).
            channel = ChannelName.Conversation(principal.ConversationKey!);
        }

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
    public bool IsClient(ConnectionContext connection, in ClientFrame frame)
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
    public bool TryAddClient(ConnectionContext connection, in ClientFrame frame)
    {
        if (!connection.AddClient(frame.Client!))
        {
            Error(connection, ErrorCodes.LimitExceeded, $"At most {connection.Limits.MaxClientsPerConnection} logical clients per connection.", client: frame.Client);
            return false;
        }

        return true;
    }

    /// <summary>Reads <c>q</c> for the frames that echo it; one that is not 1-64 printable ASCII is a <c>bad_frame</c> (never silently dropped).</summary>
    public bool TryQuery(ConnectionContext connection, in ClientFrame frame, out string? query)
    {
        query = frame.Query;
        if (Identifiers.IsQuery(query))
        {
            return true;
        }

        Error(connection, ErrorCodes.BadFrame, "'q' must be 1-64 printable ASCII characters.", client: SafeClient(frame), channel: SafeChannel(frame));
        return false;
    }

    private static string? SafeClient(in ClientFrame frame) => Identifiers.IsClientId(frame.Client) ? frame.Client : null;

    private static string? SafeId(in ClientFrame frame) => Identifiers.IsOpId(frame.Id) ? frame.Id : null;

    private static string? SafeQuery(in ClientFrame frame) => frame.Query is not null && Identifiers.IsQuery(frame.Query) ? frame.Query : null;

    private static string? SafeChannel(in ClientFrame frame) => ChannelName.TryParse(frame.Channel, out var channel) ? channel.Value : null;
}
