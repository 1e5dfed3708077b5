using Microsoft.Extensions.Logging;

namespace KefuSync.Dispatch;

internal sealed partial class FrameReplies
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1402, EventName = "Forbidden", Level = LogLevel.Information, Message = "Principal {Principal} was refused channel {Channel}.")]
        public static partial void Forbidden(ILogger logger, string principal, string channel);
    }
}
