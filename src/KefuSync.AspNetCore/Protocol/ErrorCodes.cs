namespace KefuSync.Protocol;

/// <summary>The error codes of docs/protocol.md §6. Stable strings: clients switch on them.</summary>
internal static class ErrorCodes
{
    public const string BadFrame = "bad_frame";
    public const string UnknownType = "unknown_type";
    public const string NotReady = "not_ready";
    public const string UnsupportedVersion = "unsupported_version";
    public const string AuthFailed = "auth_failed";
    public const string Forbidden = "forbidden";
    public const string InvalidChannel = "invalid_channel";
    public const string InvalidOp = "invalid_op";
    public const string FutureBase = "future_base";
    public const string StaleBase = "stale_base";
    public const string TooLarge = "too_large";
    public const string RateLimited = "rate_limited";
    public const string LimitExceeded = "limit_exceeded";
    public const string Conflict = "conflict";
    public const string StoreUnavailable = "store_unavailable";
}
