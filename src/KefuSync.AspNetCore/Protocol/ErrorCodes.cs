using System.Collections.Frozen;

namespace KefuSync.Protocol;

/// <summary>
/// The error codes of docs/protocol.md §6. Stable strings: clients switch on them. <see cref="All"/> is the table itself,
/// and the one place the <c>retry</c> flag of an error comes from; a test checks it against the document row by row.
/// </summary>
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

    /// <summary>Every code, in the order of the §6 table.</summary>
    public static readonly IReadOnlyList<ErrorCodeRule> All =
    [
        new(BadFrame, Retry: false),
        new(UnknownType, Retry: false),
        new(NotReady, Retry: false, ClosesWith: CloseCodes.ProtocolError),
        new(UnsupportedVersion, Retry: false, ClosesWith: CloseCodes.ProtocolError),
        new(AuthFailed, Retry: false, ClosesWith: CloseCodes.AuthFailed),
        new(Forbidden, Retry: false, MayCloseWith: CloseCodes.Forbidden), // closed only for hello.agent
        new(InvalidChannel, Retry: false),
        new(InvalidOp, Retry: false),
        new(FutureBase, Retry: false),
        new(StaleBase, Retry: true),
        new(TooLarge, Retry: false, ClosesWith: CloseCodes.TooBig),
        new(RateLimited, Retry: true, MayCloseWith: CloseCodes.Flood), // closed after Limits.FloodCloseAfter refusals in a row
        new(LimitExceeded, Retry: false),
        new(Conflict, Retry: true),
        new(StoreUnavailable, Retry: true),
    ];

    private static readonly FrozenDictionary<string, ErrorCodeRule> ByCode = All.ToFrozenDictionary(r => r.Code, StringComparer.Ordinal);

    /// <summary>The <c>retry</c> flag of <paramref name="code"/>, from <see cref="All"/>.</summary>
    /// <exception cref="KeyNotFoundException"><paramref name="code"/> is not one of the constants above.</exception>
    public static bool IsRetryable(string code) => ByCode[code].Retry;
}
