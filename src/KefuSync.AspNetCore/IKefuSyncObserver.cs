namespace KefuSync;

/// <summary>
/// Host code that wants to see every op this node commits (webhooks, analytics, a bot). Register implementations as
/// singletons with <c>services.AddSingleton&lt;IKefuSyncObserver, MyObserver&gt;()</c>. Calls run in the background, never on
/// the client's path; an observer that throws is logged and does not affect delivery.
/// </summary>
public interface IKefuSyncObserver
{
    /// <summary>Called once per op committed on this node.</summary>
    Task OnCommittedAsync(KefuCommittedOp op, CancellationToken cancellationToken);
}
