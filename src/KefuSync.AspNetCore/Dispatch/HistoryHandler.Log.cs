using Microsoft.Extensions.Logging;

namespace KefuSync.Dispatch;

internal sealed partial class HistoryHandler
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1404, EventName = "HistoryFailed", Level = LogLevel.Warning, Message = "Reading the history of {Channel} failed: the store could not be read.")]
        public static partial void HistoryFailed(ILogger logger, string channel, Exception exception);
    }
}
