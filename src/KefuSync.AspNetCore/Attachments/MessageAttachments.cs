using KefuSync.Conversations;
using KefuSync.Sync;

namespace KefuSync.Attachments;

/// <summary>The Conversations feature's view of the attachment store: a <c>msg</c>'s <c>att.id</c> resolved in its conversation.</summary>
internal sealed class MessageAttachments(AttachmentService attachments) : IMessageAttachments
{
    public async ValueTask<(byte[] Json, string Name)?> FindAsync(string conversationKey, string attachmentId, CancellationToken cancellationToken)
    {
        AttachmentMetadata? meta;
        try
        {
            meta = await attachments.FindAsync(conversationKey, attachmentId, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreFailedException ex)
        {
            throw new StoreUnavailableException("conv:" + conversationKey, ex.InnerException ?? ex);
        }

        return meta is null ? null : (AttachmentService.MessageJson(meta), meta.Name);
    }
}
