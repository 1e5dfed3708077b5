using Microsoft.Extensions.Logging;

namespace KefuSync.Attachments;

internal sealed partial class AttachmentService
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1801, EventName = "AttachmentStored", Level = LogLevel.Debug, Message = "Stored attachment {Id} ({Type}, {Size} bytes).")]
        public static partial void Stored(ILogger logger, string id, string type, long size);

        [LoggerMessage(EventId = 1802, EventName = "AttachmentImageRefused", Level = LogLevel.Information, Message = "Refused the image of attachment {Id}: {Code}.")]
        public static partial void ImageRefused(ILogger logger, string id, string code);

        [LoggerMessage(EventId = 1803, EventName = "AttachmentDeleted", Level = LogLevel.Information, Message = "Deleted attachment {Id}.")]
        public static partial void Deleted(ILogger logger, string id);

        [LoggerMessage(EventId = 1805, EventName = "AttachmentCopied", Level = LogLevel.Debug, Message = "Copied attachment {Source} as {Id}.")]
        public static partial void Copied(ILogger logger, string source, string id);
    }
}
