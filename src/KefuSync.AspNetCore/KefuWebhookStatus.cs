namespace KefuSync;

/// <summary>An endpoint's delivery state (see <see cref="IKefuWebhooks"/>).</summary>
public sealed class KefuWebhookStatus
{
    /// <summary>The endpoint's name.</summary>
    public required string Name { get; init; }

    /// <summary>The endpoint's URL.</summary>
    public required string Url { get; init; }

    /// <summary>Active or paused.</summary>
    public required KefuWebhookState State { get; init; }

    /// <summary>The node holding the delivery lease, or null when none holds it now.</summary>
    public string? Node { get; init; }

    /// <summary>Events delivered (answered 2xx) since the endpoint was first started.</summary>
    public long Delivered { get; init; }

    /// <summary>When an event was last delivered, or null.</summary>
    public DateTimeOffset? LastDeliveredAt { get; init; }

    /// <summary>The most recent failed attempts, newest last (at most 20).</summary>
    public required IReadOnlyList<KefuWebhookFailure> RecentFailures { get; init; }
}
