namespace KefuSync;

/// <summary>Presence (who is viewing, who is typing).</summary>
public sealed class KefuPresenceOptions
{
    /// <summary>
    /// How long an entry lives without a heartbeat. Clients heartbeat every third of it, so a present viewer never
    /// expires and a vanished one is gone within one TTL. Default 30 s.
    /// </summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often expired entries are swept. Default 1 s.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);
}
