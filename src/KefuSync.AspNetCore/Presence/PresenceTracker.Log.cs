using Microsoft.Extensions.Logging;

namespace KefuSync.Presence;

internal sealed partial class PresenceTracker
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 2001, EventName = "PresencePublishFailed", Level = LogLevel.Warning, Message = "Announcing presence of {Channel} to other nodes failed; it is retried at the next heartbeat.")]
        public static partial void PresencePublishFailed(ILogger logger, string channel, Exception exception);

        [LoggerMessage(EventId = 2002, EventName = "BadRemotePresence", Level = LogLevel.Warning, Message = "Ignored a malformed presence announcement from node {Node}.")]
        public static partial void BadRemotePresence(ILogger logger, string node, Exception exception);
    }
}
