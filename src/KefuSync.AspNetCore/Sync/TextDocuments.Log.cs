using Microsoft.Extensions.Logging;

namespace KefuSync.Sync;

internal sealed partial class TextDocuments
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1201, EventName = "SnapshotFailed", Level = LogLevel.Warning, Message = "Snapshotting {Channel} failed; the log keeps growing until the next attempt.")]
        public static partial void SnapshotFailed(ILogger logger, string channel, Exception exception);
    }
}
