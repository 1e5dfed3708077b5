using Microsoft.Extensions.Logging;

namespace KefuSync.Dispatch;

internal sealed partial class SubscribeHandler
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1403, EventName = "SubscribeFailed", Level = LogLevel.Warning, Message = "Subscribing to {Channel} failed: the store could not be read.")]
        public static partial void SubscribeFailed(ILogger logger, string channel, Exception exception);
    }
}
