namespace KefuSync.Attachments;

/// <summary>A refused attachment request: its HTTP status and the JSON error of docs/protocol.md §9.4.</summary>
internal sealed record AttachmentRefusal(int Status, string Code, string Message, bool Retry = false)
{
    /// <summary>The size or pixel limit (too_large, quota_exceeded, image_too_large).</summary>
    public long? Limit { get; init; }

    /// <summary>The allowed types (type_not_allowed).</summary>
    public IReadOnlyList<string>? Types { get; init; }

    /// <summary>Seconds until a retry may succeed (rate_limited).</summary>
    public int? RetryAfterSeconds { get; init; }
}
