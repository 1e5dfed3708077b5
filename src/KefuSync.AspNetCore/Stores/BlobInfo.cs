namespace KefuSync.Stores;

/// <summary>What a blob store knows about one blob.</summary>
public sealed record BlobInfo
{
    /// <summary>The key it is stored under.</summary>
    public required string Key { get; init; }

    /// <summary>Its length in bytes.</summary>
    public required long Length { get; init; }

    /// <summary>The media type given when it was put.</summary>
    public required string ContentType { get; init; }

    /// <summary>When it was stored (to at least millisecond precision; the offset may be normalised to UTC).</summary>
    public required DateTimeOffset Created { get; init; }
}
