using Microsoft.Extensions.Logging;

namespace KefuSync.Attachments;

internal static partial class AttachmentEndpoints
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1810, EventName = "AttachmentStoreFailed", Level = LogLevel.Warning, Message = "The blob store failed during an upload; the client was told to retry.")]
        public static partial void StoreFailed(ILogger logger, Exception exception);
    }
}
