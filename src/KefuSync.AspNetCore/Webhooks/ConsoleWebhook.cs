namespace KefuSync.Webhooks;

/// <summary>
/// A webhook endpoint an admin added in the console, as its <c>webhooks:console</c> log holds it. The signing secret is
/// kept encrypted with Data Protection (it must be read back to sign, so it cannot be a hash); <see cref="Endpoint"/>
/// carries it decrypted, in memory only. <see cref="Endpoint"/> is null when this node cannot decrypt it (a key ring
/// that is not shared): the endpoint is listed but not delivered from this node.
/// </summary>
internal sealed record ConsoleWebhook(string Name, string Url, IReadOnlyList<string> Events, KefuWebhookOptions? Endpoint, string CreatedBy, DateTimeOffset CreatedAt)
{
    public DateTimeOffset? RemovedAt { get; init; }

    public string? RemovedBy { get; init; }

    public bool Removed => RemovedAt is not null;
}
