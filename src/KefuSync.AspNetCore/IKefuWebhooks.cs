namespace KefuSync;

/// <summary>
/// The state of the webhook endpoints, as recorded in the store (so any node answers the same), and the way to resume
/// a paused one. Inject it anywhere after <c>AddKefuSync()</c>.
/// </summary>
public interface IKefuWebhooks
{
    /// <summary>Every configured endpoint's state: active or paused, which node delivers, recent failures.</summary>
    Task<IReadOnlyList<KefuWebhookStatus>> GetStatusAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Resumes a paused endpoint: delivery goes on from its cursor, starting with the event that failed. Returns false when
    /// no endpoint has that name or it was not paused.
    /// </summary>
    Task<bool> ResumeAsync(string name, CancellationToken cancellationToken = default);
}
