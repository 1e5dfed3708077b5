using KefuSync.Conversations;
using KefuSync.Protocol;
using KefuSync.Security;
using KefuSync.Stores;
using KefuSync.Sync;
using Microsoft.Extensions.Logging;

namespace KefuSync.Dispatch;

/// <summary><c>list</c> (agents only): the inbox's conversation summaries under a filter, answered with <c>list</c>.</summary>
internal sealed partial class ListHandler(FrameReplies replies, InboxProjection inbox, ILogger<ListHandler> logger) : IFrameHandler
{
    private const int MaxListPage = 500;
    private const int DefaultListPage = 100;

    public FrameType Type => FrameType.List;

    public async ValueTask HandleAsync(ConnectionContext connection, ClientFrame frame, CancellationToken cancellationToken)
    {
        if (!replies.TryQuery(connection, frame, out var query))
        {
            return;
        }

        var principal = connection.Principal!;
        if (principal.Role != PrincipalRole.Agent)
        {
            replies.Error(connection, ErrorCodes.Forbidden, "Only agents list conversations.", query: query);
            return;
        }

        if (frame.Filter is not null && Array.IndexOf(ConversationRules.ListFilters, frame.Filter) < 0)
        {
            replies.Error(connection, ErrorCodes.BadFrame, "'f' must be all, mine, unassigned or closed.", query: query);
            return;
        }

        if (frame.Count is < 1 or > MaxListPage)
        {
            replies.Error(connection, ErrorCodes.BadFrame, $"'n' must be between 1 and {MaxListPage}.", query: query);
            return;
        }

        try
        {
            var (items, revision) = await inbox.ListAsync(frame.Filter ?? "all", principal.Id, (int)(frame.Count ?? DefaultListPage), cancellationToken).ConfigureAwait(false);
            connection.Send(FrameWriter.List(query, revision, items.Select(i => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(i, InboxJsonContext.Default.ConversationSummary))));
        }
        catch (Exception ex) when (StoreUnavailableException.ShouldWrap(ex, cancellationToken))
        {
            Log.ListFailed(logger, ex);
            replies.Error(connection, ErrorCodes.StoreUnavailable, "The store is unavailable; ask again later.", query: query);
        }
    }
}
