namespace KefuSync;

/// <summary>Whether an endpoint is delivered to.</summary>
public enum KefuWebhookState
{
    /// <summary>Events are delivered (or wait for a node to take the lease).</summary>
    Active,

    /// <summary>An event failed <see cref="KefuWebhookDeliveryOptions.MaxAttempts"/> times: nothing is sent until <see cref="IKefuWebhooks.ResumeAsync"/>.</summary>
    Paused,
}
