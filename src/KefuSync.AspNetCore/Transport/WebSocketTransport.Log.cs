using Microsoft.Extensions.Logging;

namespace KefuSync.Transport;

internal sealed partial class WebSocketTransport
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1501, EventName = "OriginRefused", Level = LogLevel.Warning, Message = "Refused a WebSocket handshake from origin {Origin}; add it to KefuSync:AllowedOrigins if it is yours.")]
        public static partial void OriginRefused(ILogger logger, string origin);

        [LoggerMessage(EventId = 1502, EventName = "ConnectionLost", Level = LogLevel.Debug, Message = "Connection {Connection} ended: {Reason}")]
        public static partial void ConnectionLost(ILogger logger, string connection, string reason);
    }
}
