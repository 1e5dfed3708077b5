using Microsoft.Extensions.Logging;

namespace KefuSync.FollowUp;

internal sealed partial class FollowUpService
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 2201, EventName = "FollowUpPollFailed", Level = LogLevel.Warning, Message = "Looking for follow-up emails failed; the next poll tries again.")]
        public static partial void PollFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 2202, EventName = "FollowUpSent", Level = LogLevel.Information, Message = "Follow-up {Number} of conversation {Conversation} sent as {MessageId}.")]
        public static partial void Sent(ILogger logger, string conversation, int number, string messageId);

        [LoggerMessage(EventId = 2203, EventName = "FollowUpSendFailed", Level = LogLevel.Warning, Message = "Follow-up {Number} of conversation {Conversation} failed (attempt {Attempt}); it is retried after a back-off.")]
        public static partial void SendFailed(ILogger logger, string conversation, int number, int attempt, Exception exception);

        [LoggerMessage(EventId = 2204, EventName = "FollowUpGaveUp", Level = LogLevel.Error, Message = "Follow-up {Number} of conversation {Conversation} was given up after {Attempts} attempts.")]
        public static partial void GaveUp(ILogger logger, string conversation, int number, int attempts);

        [LoggerMessage(EventId = 2205, EventName = "FollowUpClaimLost", Level = LogLevel.Debug, Message = "Another node claimed follow-up {Number} of conversation {Conversation} first.")]
        public static partial void ClaimLost(ILogger logger, string conversation, int number);

        [LoggerMessage(EventId = 2206, EventName = "FollowUpRecordFailed", Level = LogLevel.Error, Message = "Recording {Record} in the email log of conversation {Conversation} kept conflicting.")]
        public static partial void RecordFailed(ILogger logger, string record, string conversation);
    }
}
