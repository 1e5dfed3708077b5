using System.Text.Json.Serialization;

namespace KefuSync.Attachments;

/// <summary>
/// What the server knows about one attachment (docs/protocol.md §9.3): stored as the attachment's <c>meta</c> blob, and,
/// without <see cref="Uploader"/> and <see cref="Created"/>, as <c>att</c> in the <c>msg</c> op that carries it.
/// </summary>
internal sealed record AttachmentMetadata
{
    /// <summary>22 chars of <c>[A-Za-z0-9_-]</c>: a function of the scope, the uploader and the upload id.</summary>
    public required string Id { get; init; }

    public required string Name { get; init; }

    /// <summary>Bytes stored (after re-encoding, for images).</summary>
    public required long Size { get; init; }

    /// <summary>The sniffed (for images: the stored) type.</summary>
    public required string Type { get; init; }

    [JsonPropertyName("w")]
    public int? Width { get; init; }

    [JsonPropertyName("h")]
    public int? Height { get; init; }

    /// <summary>Lower-case hex SHA-256 of the stored bytes.</summary>
    public required string Sha256 { get; init; }

    /// <summary>Whether a thumbnail exists (images).</summary>
    public required bool Thumb { get; init; }

    /// <summary>The principal id of whoever uploaded it (not part of the wire metadata).</summary>
    [JsonPropertyName("by")]
    public string? Uploader { get; init; }

    /// <summary>When it was stored, Unix ms (not part of the wire metadata).</summary>
    [JsonPropertyName("ts")]
    public long? Created { get; init; }

    /// <summary>The metadata as clients see it: without the uploader and the time.</summary>
    public AttachmentMetadata ForWire() => this with { Uploader = null, Created = null };
}
