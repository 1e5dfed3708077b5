using Microsoft.Extensions.Logging;

namespace KefuSync.Dispatch;

internal sealed partial class HelloHandler
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1401, EventName = "ForgedToken", Level = LogLevel.Warning, Message = "Connection {Connection} presented a forged or tampered visitor token.")]
        public static partial void ForgedToken(ILogger logger, string connection);
    }
}
