namespace KefuSync.Attachments;

/// <summary>The result of an upload: the attachment (new or a repeat), or the refusal.</summary>
internal sealed record UploadOutcome(AttachmentMetadata? Attachment, bool Created, AttachmentRefusal? Refusal)
{
    public static UploadOutcome Refused(AttachmentRefusal refusal) => new(null, false, refusal);
}
