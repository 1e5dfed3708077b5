using Microsoft.Extensions.Logging;

namespace KefuSync.Sync;

internal sealed partial class CommitPipeline
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, EventName = "StoreFailed", Level = LogLevel.Warning, Message = "Committing to {Channel} failed; the client was told to retry.")]
        public static partial void StoreFailed(ILogger logger, string channel, Exception exception);
    }
}
