using Microsoft.Extensions.Logging;

namespace KefuSync.Sync;

internal sealed partial class FanOut
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1101, EventName = "BackplanePublishFailed", Level = LogLevel.Warning, Message = "Announcing {Channel} revision {Revision} on the backplane failed; other nodes repair from the store.")]
        public static partial void PublishFailed(ILogger logger, string channel, long revision, Exception exception);

        [LoggerMessage(EventId = 1102, EventName = "RepairFailed", Level = LogLevel.Warning, Message = "Catching up a subscription to {Channel} from the store failed.")]
        public static partial void RepairFailed(ILogger logger, string channel, Exception exception);

        [LoggerMessage(EventId = 1103, EventName = "UnexpectedGap", Level = LogLevel.Error, Message = "Channel {Channel} has no op after revision {After}; the store returned {First}. Message channels are never trimmed: check the store.")]
        public static partial void UnexpectedGap(ILogger logger, string channel, long after, long first);
    }
}
