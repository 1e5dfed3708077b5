using Microsoft.Extensions.Logging;

namespace KefuSync.Conversations;

internal sealed partial class ConversationMerge
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1710, EventName = "MergeRefused", Level = LogLevel.Warning, Message = "An anonymous conversation {From} was presented for a merge into another identity than the one it was merged into; refused.")]
        public static partial void MergeRefused(ILogger logger, string from);

        [LoggerMessage(EventId = 1711, EventName = "Merged", Level = LogLevel.Information, Message = "Anonymous conversation {From} merged into {Into} ({Copies} ops copied).")]
        public static partial void Merged(ILogger logger, string from, string into, int copies);
    }
}
