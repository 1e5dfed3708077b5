using Microsoft.Extensions.Logging;

namespace KefuSync.Dispatch;

internal sealed partial class HelloHandler
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1401, EventName = "ForgedToken", Level = LogLevel.Warning, Message = "Connection {Connection} presented a forged or tampered visitor token.")]
        public static partial void ForgedToken(ILogger logger, string connection);

        [LoggerMessage(EventId = 1406, EventName = "MergeTokenRefused", Level = LogLevel.Warning, Message = "Connection {Connection} presented an anonymous token to merge that is forged, expired or not anonymous; nothing merged.")]
        public static partial void MergeTokenRefused(ILogger logger, string connection);

        [LoggerMessage(EventId = 1407, EventName = "MergeFailed", Level = LogLevel.Warning, Message = "Connection {Connection}: the identity merge could not be read or written; the client connects again.")]
        public static partial void MergeFailed(ILogger logger, string connection, Exception exception);
    }
}
