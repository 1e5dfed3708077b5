using KefuSync.Conversations;
using KefuSync.Sync;

namespace KefuSync.Bots;

/// <summary>
/// Wakes this node's bot runner when its inbox commits a summary (a conversation changed), so a visitor gets the answer at
/// once instead of at the next poll. Only a hint: the work comes from the log, other nodes' commits are found by polling.
/// </summary>
internal sealed class BotWakeup : ICommitListener<InboxFold>
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
