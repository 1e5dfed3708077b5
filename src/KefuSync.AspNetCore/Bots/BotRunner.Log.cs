using Microsoft.Extensions.Logging;

namespace KefuSync.Bots;

internal sealed partial class BotRunner
{
    internal static partial class Log
    {
        [LoggerMessage(EventId = 2401, EventName = "BotStepFailed", Level = LogLevel.Warning, Message = "Bot {Bot}: a step failed (the store?); it is tried again at the next poll.")]
        public static partial void StepFailed(ILogger logger, string bot, Exception exception);

        [LoggerMessage(EventId = 2402, EventName = "BotFailed", Level = LogLevel.Error, Message = "Bot {Bot} failed on message {Revision} of conversation {Conversation} ({Why}); the conversation is handed over to people.")]
        public static partial void BotFailed(ILogger logger, string bot, string conversation, long revision, string why, Exception exception);

        [LoggerMessage(EventId = 2403, EventName = "BotAnswerRefused", Level = LogLevel.Warning, Message = "Bot {Bot}: conversation {Conversation} refused the bot's op ({Code}): {Error}.")]
        public static partial void AnswerRefused(ILogger logger, string bot, string conversation, string code, string error);

        [LoggerMessage(EventId = 2404, EventName = "BotHandedOver", Level = LogLevel.Information, Message = "Bot {Bot} handed conversation {Conversation} over to people ({Why}).")]
        public static partial void HandedOver(ILogger logger, string bot, string conversation, string why);

        [LoggerMessage(EventId = 2405, EventName = "BotTakenOver", Level = LogLevel.Information, Message = "Bot {Bot}: {Agent} wrote in conversation {Conversation} and takes it over.")]
        public static partial void TakenOver(ILogger logger, string bot, string conversation, string agent);

        [LoggerMessage(EventId = 2406, EventName = "BotLeaseTaken", Level = LogLevel.Information, Message = "Bot {Bot}: node {Node} runs it.")]
        public static partial void LeaseTaken(ILogger logger, string bot, string node);

        [LoggerMessage(EventId = 2408, EventName = "BotStartFailed", Level = LogLevel.Warning, Message = "Bot {Bot}: the start record could not be written yet (the store?); the runner writes it when it can.")]
        public static partial void StartFailed(ILogger logger, string bot, Exception exception);

        [LoggerMessage(EventId = 2407, EventName = "BotLeaseLost", Level = LogLevel.Warning, Message = "Bot {Bot}: node {Node} holds the lease now; this node stops.")]
        public static partial void LeaseLost(ILogger logger, string bot, string node);

        [LoggerMessage(EventId = 2409, EventName = "BotSnapshotFailed", Level = LogLevel.Warning, Message = "Bot {Bot}: snapshotting the bot's log failed; it is tried again later.")]
        public static partial void SnapshotFailed(ILogger logger, string bot, Exception exception);
    }
}
