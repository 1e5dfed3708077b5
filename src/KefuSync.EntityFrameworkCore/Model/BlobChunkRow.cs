namespace KefuSync.EntityFrameworkCore.Model;

/// <summary>A row of <c>kefu_blob_chunks</c>: one piece (at most 256 KiB) of a blob, so no call holds a blob whole.</summary>
internal sealed class BlobChunkRow
{
    public required string BlobId { get; set; }

    public int Sequence { get; set; }

    public required byte[] Data { get; set; }

    /// <summary>
    /// When the chunk was written, Unix milliseconds: chunks of a put that never completed are swept after an hour. A
    /// number, not a <see cref="DateTimeOffset"/>, because SQLite cannot compare those in a query.
    /// </summary>
    public long Written { get; set; }
}
