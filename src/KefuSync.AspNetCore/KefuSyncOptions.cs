namespace KefuSync;

/// <summary>
/// Options for KefuSync. Bind them from the <c>KefuSync</c> configuration section or set them in code
/// (<c>AddKefuSync(o =&gt; ...)</c>); code runs after configuration. They are validated at startup, and every error names the setting.
/// </summary>
public sealed class KefuSyncOptions
{
    /// <summary>The configuration section bound by default.</summary>
    public const string SectionName = "KefuSync";

    /// <summary>
    /// Name of the host's authorization policy that admits agents to the console and agent channels. When empty,
    /// nobody is an agent (the console answers 403). Register the policy with <c>AddAuthorization</c>.
    /// </summary>
    public string AgentPolicy { get; set; } = "";

    /// <summary>
    /// Name of the host's authorization policy that admits admins to the console's Integrations panel: API keys
    /// (created, listed, revoked) and the webhook endpoints' delivery state. When empty, the default, there is no such
    /// panel and its endpoints answer 404. An admin needs <see cref="AgentPolicy"/> as well, to open the console.
    /// </summary>
    public string AdminPolicy { get; set; } = "";

    /// <summary>
    /// Origins (scheme://host[:port]) besides the request's own that may open a socket. The handshake refuses any other
    /// <c>Origin</c> with 403, which stops cross-site WebSocket hijacking.
    /// </summary>
    public IList<string> AllowedOrigins { get; set; } = [];

    /// <summary>The name shown for agents when the principal has none (and the site name in the widget).</summary>
    public string SiteName { get; set; } = "Support";

    /// <summary>Presence settings.</summary>
    public KefuPresenceOptions Presence { get; set; } = new();

    /// <summary>Per-connection and per-message limits (see docs/protocol.md, section 7).</summary>
    public KefuLimitsOptions Limits { get; set; } = new();

    /// <summary>Visitor identity settings.</summary>
    public KefuIdentityOptions Identity { get; set; } = new();

    /// <summary>Defaults of the visitor widget; the tag helper's attributes override them per page.</summary>
    public KefuWidgetOptions Widget { get; set; } = new();

    /// <summary>Conversation rules.</summary>
    public KefuConversationOptions Conversations { get; set; } = new();

    /// <summary>Retention of text-document histories.</summary>
    public KefuRetentionOptions Retention { get; set; } = new();

    /// <summary>Attachments (files and images in messages): limits, allowed types, storage (docs/protocol.md, section 9).</summary>
    public KefuAttachmentOptions Attachments { get; set; } = new();
    /// <summary>Business hours: when agents are at work, and what the widget does outside them.</summary>
    public KefuBusinessHoursOptions BusinessHours { get; set; } = new();

    /// <summary>Email follow-up of unread replies, agent notifications and transcripts (off by default).</summary>
    public KefuEmailOptions Email { get; set; } = new();

    /// <summary>Webhooks delivered from the op log: endpoints, retries, the private-network rule (docs/webhooks.md).</summary>
    public KefuWebhookDeliveryOptions Webhooks { get; set; } = new();

    /// <summary>The REST API and its keys (docs/rest-api.md); off until a key is configured.</summary>
    public KefuApiOptions Api { get; set; } = new();
}
