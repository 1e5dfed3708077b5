using Microsoft.Extensions.Logging;

namespace KefuSync.Transport;

internal sealed partial class FallbackTransport
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1520, EventName = "RelayedRequestFailed", Level = LogLevel.Warning, Message = "A fallback {Op} relayed from another node failed here; that node answers 503 and its client connects again.")]
        public static partial void RelayedRequestFailed(ILogger logger, string op, Exception exception);
    }
}
