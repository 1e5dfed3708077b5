namespace KefuSync;

/// <summary>
/// Webhooks delivered from the op log (docs/webhooks.md): the endpoints, and how delivery retries, pauses and shares the
/// work between nodes. Bound from <c>KefuSync:Webhooks</c>.
/// </summary>
public sealed class KefuWebhookDeliveryOptions
{
    /// <summary>The endpoints (none by default: nothing is sent).</summary>
    public IList<KefuWebhookOptions> Endpoints { get; set; } = [];

    /// <summary>
    /// Whether requests may go to loopback, private, link-local, shared (CGNAT), multicast or reserved addresses. Default
    /// false: the address a URL resolves to is checked when the connection is made (so DNS rebinding cannot get around it),
    /// and such a request fails without being sent. Set it only when the receivers are trusted internal services.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Attempts per event, the first included, before the endpoint is paused. Default 8.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The first retry's delay; each next one doubles, with jitter, up to <see cref="MaxRetryDelay"/>. Default 2 seconds.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest delay between two attempts. Default 5 minutes.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long one request may take before it counts as failed. Default 10 seconds; must be under a third of <see cref="LeaseDuration"/>.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a node owns an endpoint's delivery without renewing it. The owner renews every third of it; a node that
    /// died is taken over after it runs out. Default 1 minute.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the inbox is looked at for new events when no local commit announced one. Default 1 second.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Conversations delivered at the same time per endpoint (each conversation's events stay in order). Default 4.</summary>
    public int MaxConcurrency { get; set; } = 4;
}
