namespace KefuSync.Attachments;

/// <summary>
/// Thrown by <see cref="UploadStream"/> when an upload passes its limit: the blob store's put sees a failing stream, stores
/// nothing (its all-or-nothing rule), and the endpoint answers <c>too_large</c> or <c>quota_exceeded</c>.
/// </summary>
internal sealed class UploadLimitExceededException(long limit) : IOException($"The upload is larger than {limit} bytes.")
{
    public long Limit { get; } = limit;
}
