namespace KefuSync.Webhooks;

/// <summary>A webhook URL resolved only to addresses <see cref="WebhookNetworkPolicy"/> refuses; nothing was sent.</summary>
internal sealed class WebhookAddressRefusedException(string message) : Exception(message);
