using KefuSync.Sync;

namespace KefuSync.Conversations;

/// <summary>
/// Wakes this node's inbox readers (the bot runner, the webhook runners) when its inbox commits a summary, that is a
/// conversation changed, so they act at once instead of at their next poll. Only a hint: their work comes from the
/// inbox log, and other nodes' commits are found by polling it.
/// </summary>
internal sealed class InboxWakeup : ICommitListener<InboxFold>
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next pulse after this call: take it before looking for work, so no pulse is missed.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Pulse() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public ValueTask OnCommittedAsync(CommittedOp<InboxFold> committed, CancellationToken cancellationToken)
    {
        Pulse();
        return ValueTask.CompletedTask;
    }
}
