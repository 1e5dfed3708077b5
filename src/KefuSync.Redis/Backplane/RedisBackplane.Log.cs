using KefuSync.Backplane;
using Microsoft.Extensions.Logging;

namespace KefuSync.Redis.Backplane;

internal sealed partial class RedisBackplane
{
    // Event ids 3040-3059: the Redis backplane.
    private static partial class Log
    {
        [LoggerMessage(3040, LogLevel.Debug, "Subscribed to Redis channels {RedisChannels}.", EventName = "BackplaneSubscribed")]
        public static partial void Subscribed(ILogger logger, string redisChannels);

        [LoggerMessage(3041, LogLevel.Warning, "Ignored a message on a backplane channel that is not a KefuSync backplane envelope.", EventName = "BackplaneInvalidMessage")]
        public static partial void InvalidMessage(ILogger logger);

        [LoggerMessage(3042, LogLevel.Warning, "A backplane handler failed on a {Kind} message for channel '{Channel}'.", EventName = "BackplaneHandlerFailed")]
        public static partial void HandlerFailed(ILogger logger, BackplaneMessageKind kind, string channel, Exception exception);

        [LoggerMessage(3043, LogLevel.Debug, "Backplane reconnect probe failed.", EventName = "BackplaneProbeFailed")]
        public static partial void ProbeFailed(ILogger logger, Exception exception);

        [LoggerMessage(3044, LogLevel.Information, "Redis subscription restored: raising Reconnected so that channels repair from the store.", EventName = "BackplaneReconnected")]
        public static partial void RaisingReconnected(ILogger logger);

        [LoggerMessage(3045, LogLevel.Debug, "Unsubscribing from the Redis channel failed while disposing the backplane.", EventName = "BackplaneUnsubscribeFailed")]
        public static partial void UnsubscribeFailed(ILogger logger, Exception exception);

        [LoggerMessage(3047, LogLevel.Warning, "The backplane receive queue is full ({LimitBytes} bytes): dropping messages until it drains; their channels are re-read from the store.", EventName = "BackplaneQueueFull")]
        public static partial void QueueFull(ILogger logger, long limitBytes);

        [LoggerMessage(3048, LogLevel.Information, "Raising Reconnected for {Channels} channels whose backplane messages were dropped (-1: all channels).", EventName = "BackplaneRepairingDrops")]
        public static partial void RepairingDrops(ILogger logger, int channels);

        [LoggerMessage(3046, LogLevel.Warning, "After a Redis reconnect the backplane subscription is not proven live yet (round {Round}); subscribing again.", EventName = "BackplaneNotProvenLive")]
        public static partial void NotProvenLive(ILogger logger, int round, Exception exception);
    }
}
