using KefuSync.Conversations;
using KefuSync.Sync;

namespace KefuSync.Webhooks;

/// <summary>
/// Wakes the webhook runners of this node when its inbox commits a summary (a conversation changed), so local events go
/// out at once instead of at the next poll. Only a hint: the events come from the log, and other nodes' commits are
/// found by polling the inbox (<see cref="KefuWebhookDeliveryOptions.PollInterval"/>).
/// </summary>
internal sealed class WebhookWakeup : ICommitListener<InboxFold>
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
