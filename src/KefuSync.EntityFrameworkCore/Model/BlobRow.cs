namespace KefuSync.EntityFrameworkCore.Model;

/// <summary>
/// A row of <c>kefu_blobs</c>: one complete blob. It is inserted only after every chunk of the blob is stored, so its
/// existence is what makes the blob visible; the primary key on <see cref="Key"/> makes a put create-once.
/// </summary>
internal sealed class BlobRow
{
    public required string Key { get; set; }

    /// <summary>Names the blob's chunks in <c>kefu_blob_chunks</c>: fresh for every put, so racing puts never mix chunks.</summary>
    public required string BlobId { get; set; }

    public long Length { get; set; }

    public int ChunkCount { get; set; }

    public required string ContentType { get; set; }

    /// <summary>Stored in UTC.</summary>
    public DateTimeOffset Created { get; set; }
}
