namespace KefuSync.Webhooks;

/// <summary>One event ready to send: its <c>webhook-id</c>, type and serialized body.</summary>
internal sealed record WebhookEvent(string Id, string Type, byte[] Body);
