namespace KefuSync.Webhooks;

/// <summary>The body of a webhook request, in the Standard Webhooks shape: <c>{type, timestamp, data}</c> (docs/webhooks.md §3).</summary>
internal sealed record WebhookPayload(string Type, DateTimeOffset Timestamp, WebhookData Data);
