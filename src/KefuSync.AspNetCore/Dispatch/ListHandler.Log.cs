using Microsoft.Extensions.Logging;

namespace KefuSync.Dispatch;

internal sealed partial class ListHandler
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1405, EventName = "ListFailed", Level = LogLevel.Warning, Message = "Listing the inbox failed: the store could not be read.")]
        public static partial void ListFailed(ILogger logger, Exception exception);
    }
}
