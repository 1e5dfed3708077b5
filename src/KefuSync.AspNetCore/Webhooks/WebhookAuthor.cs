namespace KefuSync.Webhooks;

/// <summary>Who committed the op an event comes from (docs/webhooks.md §3).</summary>
internal sealed record WebhookAuthor(string Id, string? Name, string? Role);
