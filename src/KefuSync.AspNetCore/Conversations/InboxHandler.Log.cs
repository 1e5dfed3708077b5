using Microsoft.Extensions.Logging;

namespace KefuSync.Conversations;

internal sealed partial class InboxHandler
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1702, EventName = "InboxSnapshotFailed", Level = LogLevel.Warning, Message = "Snapshotting the inbox failed.")]
        public static partial void InboxSnapshotFailed(ILogger logger, Exception exception);
    }
}
