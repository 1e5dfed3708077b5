using Microsoft.Extensions.Logging;

namespace KefuSync.Transport;

internal sealed partial class SessionRelay
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1510, EventName = "RelayNoReply", Level = LogLevel.Information, Message = "Node {Node} did not answer a fallback {Op} in time (gone, or the backplane lost the message); the client connects again.")]
        public static partial void NoReply(ILogger logger, string node, string op);

        [LoggerMessage(EventId = 1511, EventName = "RelayFailed", Level = LogLevel.Warning, Message = "A fallback request to or reply for node {Node} could not be published on the backplane.")]
        public static partial void RelayFailed(ILogger logger, string node, Exception exception);

        [LoggerMessage(EventId = 1512, EventName = "RelayListenFailed", Level = LogLevel.Warning, Message = "Could not listen for fallback requests on the backplane yet; sessions of other nodes cannot be served from here until it works.")]
        public static partial void ListenFailed(ILogger logger, Exception exception);
    }
}
