namespace KefuSync;

/// <summary>
/// Outcome of a server-side submit through <see cref="IKefuSyncService"/>. Built by its factories, so each outcome
/// carries exactly the members that mean something for it: <see cref="Success"/>, <see cref="DuplicateOf"/> or
/// <see cref="Failure"/>.
/// </summary>
public sealed record KefuSubmitResult
{
    private KefuSubmitResult()
    {
    }

    /// <summary>Whether the op is in the log (now, or from an earlier call with the same client op id).</summary>
    public bool Committed { get; private init; }

    /// <summary>Its revision when <see cref="Committed"/>; 0 otherwise.</summary>
    public long Revision { get; private init; }

    /// <summary>True when an earlier call with the same client op id had committed it; nothing was appended this time.</summary>
    public bool Duplicate { get; private init; }

    /// <summary>A docs/protocol.md §6 error code when not committed (e.g. <c>invalid_op</c>); null otherwise.</summary>
    public string? ErrorCode { get; private init; }

    /// <summary>A readable reason when not committed; null otherwise.</summary>
    public string? Error { get; private init; }

    /// <summary>Whether the same call (with the same client op id) may succeed later, e.g. when the store was unavailable.</summary>
    public bool Retryable { get; private init; }

    /// <summary>The op was appended at <paramref name="revision"/>.</summary>
    public static KefuSubmitResult Success(long revision) => new() { Committed = true, Revision = revision };

    /// <summary>An earlier submit with the same client op id had committed the op at <paramref name="revision"/>.</summary>
    public static KefuSubmitResult DuplicateOf(long revision) => new() { Committed = true, Revision = revision, Duplicate = true };

    /// <summary>The op was refused with <paramref name="errorCode"/> (docs/protocol.md §6).</summary>
    /// <exception cref="ArgumentException"><paramref name="errorCode"/> is null or empty.</exception>
    public static KefuSubmitResult Failure(string errorCode, string error, bool retryable)
    {
        ArgumentException.ThrowIfNullOrEmpty(errorCode);
        ArgumentNullException.ThrowIfNull(error);
        return new() { ErrorCode = errorCode, Error = error, Retryable = retryable };
    }
}
