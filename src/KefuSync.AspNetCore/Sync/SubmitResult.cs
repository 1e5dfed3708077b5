using KefuSync.Protocol;

namespace KefuSync.Sync;

/// <summary>What became of a submitted op.</summary>
internal readonly record struct SubmitResult(bool Committed, long Revision, bool Duplicate, string? ErrorCode, string? ErrorMessage, bool Retry)
{
    public static SubmitResult Ok(long revision) => new(true, revision, false, null, null, false);

    public static SubmitResult Dup(long revision) => new(true, revision, true, null, null, false);

    public static SubmitResult Fail(string code, string message) => new(false, 0, false, code, message, ErrorCodes.IsRetryable(code));

    /// <summary>A <c>future_base</c> refusal; <see cref="Revision"/> carries the head, which the error frame reports.</summary>
    public static SubmitResult FutureBase(long head, string message) => new(false, head, false, ErrorCodes.FutureBase, message, ErrorCodes.IsRetryable(ErrorCodes.FutureBase));
}
