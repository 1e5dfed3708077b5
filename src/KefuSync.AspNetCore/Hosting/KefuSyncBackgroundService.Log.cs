using Microsoft.Extensions.Logging;

namespace KefuSync.Hosting;

internal sealed partial class KefuSyncBackgroundService
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1601, EventName = "SweepFailed", Level = LogLevel.Error, Message = "A periodic sweep failed.")]
        public static partial void SweepFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 1604, EventName = "InboxFlushFailed", Level = LogLevel.Warning, Message = "Folding the inbox's last summaries at shutdown failed; they catch up at each conversation's next op.")]
        public static partial void InboxFlushFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 1602, EventName = "BackplaneReconnected", Level = LogLevel.Information, Message = "The backplane reconnected; re-reading every subscribed channel from the store.")]
        public static partial void BackplaneReconnected(ILogger logger);

        [LoggerMessage(EventId = 1603, EventName = "BackplaneSubscribeFailed", Level = LogLevel.Warning, Message = "Subscribing to the backplane failed (attempt {Attempt}); retrying in {Delay}. Until then this node serves only its own clients live.")]
        public static partial void SubscribeFailed(ILogger logger, int attempt, TimeSpan delay, Exception exception);
    }
}
