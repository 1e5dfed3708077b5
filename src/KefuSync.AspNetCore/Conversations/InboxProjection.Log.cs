using Microsoft.Extensions.Logging;

namespace KefuSync.Conversations;

internal sealed partial class InboxProjection
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1701, EventName = "InboxNotUpdated", Level = LogLevel.Warning, Message = "The inbox summary of {Key} was not updated ({Error}); it is refreshed by the conversation's next op.")]
        public static partial void InboxNotUpdated(ILogger logger, string key, string error);

        [LoggerMessage(EventId = 1703, EventName = "InboxUpdateFailed", Level = LogLevel.Warning, Message = "Updating inbox summaries failed; they catch up at each conversation's next op.")]
        public static partial void InboxUpdateFailed(ILogger logger, Exception exception);
    }
}
