using Microsoft.Extensions.Logging;

namespace KefuSync.Webhooks;

internal sealed partial class WebhookRunner
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 2301, EventName = "WebhookStepFailed", Level = LogLevel.Warning, Message = "Webhook {Endpoint}: a delivery step failed (the store?); it is tried again at the next poll.")]
        public static partial void StepFailed(ILogger logger, string endpoint, Exception exception);

        [LoggerMessage(EventId = 2302, EventName = "WebhookAttemptFailed", Level = LogLevel.Warning, Message = "Webhook {Endpoint}: attempt {Attempt} of event {EventId} failed: {Error}.")]
        public static partial void AttemptFailed(ILogger logger, string endpoint, string eventId, int attempt, string error);

        [LoggerMessage(EventId = 2303, EventName = "WebhookPaused", Level = LogLevel.Error, Message = "Webhook {Endpoint} is paused: an event failed {Attempts} attempts. Resume it with IKefuWebhooks.ResumeAsync.")]
        public static partial void Paused(ILogger logger, string endpoint, int attempts);

        [LoggerMessage(EventId = 2304, EventName = "WebhookLeaseTaken", Level = LogLevel.Information, Message = "Webhook {Endpoint}: node {Node} delivers.")]
        public static partial void LeaseTaken(ILogger logger, string endpoint, string node);

        [LoggerMessage(EventId = 2305, EventName = "WebhookLeaseLost", Level = LogLevel.Warning, Message = "Webhook {Endpoint}: the lease went to {Holder}; this node stops delivering.")]
        public static partial void LeaseLost(ILogger logger, string endpoint, string holder);

        [LoggerMessage(EventId = 2306, EventName = "WebhookReleaseFailed", Level = LogLevel.Warning, Message = "Webhook {Endpoint}: releasing the lease at shutdown failed; another node takes over when it runs out.")]
        public static partial void ReleaseFailed(ILogger logger, string endpoint, Exception exception);

        [LoggerMessage(EventId = 2307, EventName = "WebhookSnapshotFailed", Level = LogLevel.Warning, Message = "Webhook {Endpoint}: snapshotting the delivery log failed; it is tried again later.")]
        public static partial void SnapshotFailed(ILogger logger, string endpoint, Exception exception);
    }
}
