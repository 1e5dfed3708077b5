using KefuSync.Conversations;
using KefuSync.Stores;
using KefuSync.Sync;
using Microsoft.Extensions.Logging;

namespace KefuSync.Attachments;

/// <summary>
/// Hears every committed conversation op; on a <c>recall</c> of a message that carried a file, deletes the file through
/// the blob contract (docs/protocol.md §9.6), so its URLs answer 404 from then on. Best effort: a failure is logged and
/// the recall stands.
/// </summary>
internal sealed partial class RecallListener(IOpStore store, AttachmentService attachments, ILogger<RecallListener> logger) : ICommitListener<MessageOp>
{
    public async ValueTask OnCommittedAsync(CommittedOp<MessageOp> committed, CancellationToken cancellationToken)
    {
        if (committed.Op.Kind != "recall")
        {
            return; // every other op: nothing to do, no allocation
        }

        try
        {
            var records = await store.ReadAsync(committed.Channel.Value, committed.Op.Target - 1, 1, cancellationToken).ConfigureAwait(false);
            if (records.Count == 1 && records[0].Revision == committed.Op.Target && MessageOps.AttachmentIdOf(records[0].Payload.Span) is { } id)
            {
                await attachments.DeleteAsync(committed.Channel.Key, id, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.DeleteFailed(logger, committed.Channel.Value, committed.Op.Target, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1820, EventName = "RecallDeleteFailed", Level = LogLevel.Warning, Message = "The file of the message recalled at {Channel}@{Target} could not be deleted; it stays in the blob store.")]
        public static partial void DeleteFailed(ILogger logger, string channel, long target, Exception exception);
    }
}
