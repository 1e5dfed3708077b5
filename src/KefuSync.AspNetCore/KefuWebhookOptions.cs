namespace KefuSync;

/// <summary>
/// One webhook endpoint: where events are POSTed, the secret they are signed with, and which events it wants
/// (docs/webhooks.md). Configure with <c>AddKefuSync().AddWebhook(...)</c> or bind from <c>KefuSync:Webhooks:Endpoints</c>.
/// </summary>
public sealed class KefuWebhookOptions
{
    /// <summary>
    /// A stable name for the endpoint: its delivery state (cursor, lease, pause) lives in the store under it, so renaming an
    /// endpoint starts it afresh. 1 to 64 characters from <c>[A-Za-z0-9_.-]</c>.
    /// </summary>
    public string Name { get; set; } = "";

    /// <summary>The absolute <c>https</c> (or <c>http</c>) URL the events are POSTed to.</summary>
    public string Url { get; set; } = "";

    /// <summary>
    /// The signing secret in the Standard Webhooks form <c>whsec_</c> + base64 of 24 to 64 random bytes. Receivers verify
    /// <c>webhook-signature</c> with it.
    /// </summary>
    public string Secret { get; set; } = "";

    /// <summary>The event types to send (<see cref="KefuWebhookEvents"/>); empty sends every type.</summary>
    public IList<string> Events { get; set; } = [];
}
