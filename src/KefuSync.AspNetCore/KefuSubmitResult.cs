namespace KefuSync;

/// <summary>Outcome of a server-side submit.</summary>
/// <param name="Committed">Whether the op is in the log (now or from an earlier call with the same client op id).</param>
/// <param name="Revision">Its revision when committed.</param>
/// <param name="Duplicate">True when an earlier call with the same client op id had committed it.</param>
/// <param name="ErrorCode">A docs/protocol.md §6 error code when not committed.</param>
/// <param name="Error">A readable reason when not committed.</param>
/// <param name="Retryable">Whether the same call may succeed later (e.g. the store was unavailable).</param>
public sealed record KefuSubmitResult(bool Committed, long Revision, bool Duplicate, string? ErrorCode, string? Error, bool Retryable);
