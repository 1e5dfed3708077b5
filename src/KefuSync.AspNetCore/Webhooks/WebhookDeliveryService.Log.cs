using Microsoft.Extensions.Logging;

namespace KefuSync.Webhooks;

internal sealed partial class WebhookDeliveryService
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 2300, EventName = "WebhookStartFailed", Level = LogLevel.Warning, Message = "Webhook {Endpoint}: the start record could not be written yet (the store?); it is written when the store answers, and events before then are not sent.")]
        public static partial void StartFailed(ILogger logger, string endpoint, Exception exception);
    }
}
