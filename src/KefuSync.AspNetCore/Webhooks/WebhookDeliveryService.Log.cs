using Microsoft.Extensions.Logging;

namespace KefuSync.Webhooks;

internal sealed partial class WebhookDeliveryService
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 2300, EventName = "WebhookStartFailed", Level = LogLevel.Warning, Message = "Webhook {Endpoint}: the start record could not be written yet (the store?); it is written when the store answers, and events before then are not sent.")]
        public static partial void StartFailed(ILogger logger, string endpoint, Exception exception);

        [LoggerMessage(EventId = 2308, EventName = "WebhookConsoleUnreadable", Level = LogLevel.Warning, Message = "The webhook endpoints added in the console could not be read (the store?); the running ones go on, and the list is read again shortly.")]
        public static partial void ConsoleUnreadable(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 2309, EventName = "WebhookSecretUnreadable", Level = LogLevel.Error, Message = "Webhook {Endpoint} (added in the console): its signing secret cannot be decrypted on this node, so this node does not deliver it. Share the Data Protection key ring between nodes (docs/deployment.md).")]
        public static partial void SecretUnreadable(ILogger logger, string endpoint);

        [LoggerMessage(EventId = 2310, EventName = "WebhookConsoleStarted", Level = LogLevel.Information, Message = "Webhook {Endpoint} (added in the console) runs on this node.")]
        public static partial void ConsoleStarted(ILogger logger, string endpoint);

        [LoggerMessage(EventId = 2311, EventName = "WebhookConsoleStopped", Level = LogLevel.Information, Message = "Webhook {Endpoint} was removed in the console; this node stopped it.")]
        public static partial void ConsoleStopped(ILogger logger, string endpoint);
    }
}
