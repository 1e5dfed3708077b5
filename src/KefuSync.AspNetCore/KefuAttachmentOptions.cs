namespace KefuSync;

/// <summary>Attachments: limits, allowed types and where the embedded file-system store keeps files (docs/protocol.md §9).</summary>
public sealed class KefuAttachmentOptions
{
    /// <summary>Whether visitors and agents may send files. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Largest file accepted, in bytes. Larger uploads are cut off at this size with <c>too_large</c>. Default 20 MiB.</summary>
    public long MaxBytes { get; set; } = 20 * 1024 * 1024;

    /// <summary>
    /// Largest image, in pixels (width × height, read from the header before decoding). Larger images are refused with
    /// <c>image_too_large</c>, so a decompression bomb never gets its pixels allocated. Default 40,000,000.
    /// </summary>
    public long MaxImagePixels { get; set; } = 40_000_000;

    /// <summary>
    /// The types accepted, as sniffed from the content (never from the name): see docs/protocol.md §9.2. Empty (the
    /// default) means <see cref="DefaultAllowedTypes"/>; a list set here replaces them (configuration binding appends to a
    /// list, so the defaults are not in it). SVG (<c>image/svg+xml</c>) and HTML (<c>text/html</c>) may be added; they are
    /// still only ever served as downloads.
    /// </summary>
    public IList<string> AllowedTypes { get; set; } = [];

    /// <summary>The types allowed when <see cref="AllowedTypes"/> is empty: PNG, JPEG, GIF, WebP, PDF, ZIP and plain text.</summary>
    public static IReadOnlyList<string> DefaultAllowedTypes { get; } =
        ["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "application/zip", "text/plain"];

    /// <summary>Files one visitor may upload per minute (per server node). Default 10.</summary>
    public int UploadsPerMinute { get; set; } = 10;

    /// <summary>Bytes of files one visitor's conversation may hold. Default 200 MiB.</summary>
    public long MaxBytesPerConversation { get; set; } = 200 * 1024 * 1024;

    /// <summary>How long a signed file URL (for <c>&lt;img&gt;</c> and downloads without a header) stays valid. Default 10 minutes.</summary>
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Directory of the embedded file-system blob store (used unless another <c>IBlobStore</c> is registered). Empty:
    /// <c>App_Data/kefu-files</c> under the content root. Several nodes must share it (a network share), or use the EF Core blob store.
    /// </summary>
    public string StoragePath { get; set; } = "";
}
