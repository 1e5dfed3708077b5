namespace KefuSync.Stores;

/// <summary>
/// The blob store contract: named, immutable byte streams (attachments, their thumbnails and metadata). Pluggable like
/// <see cref="IOpStore"/>: the file-system store is the embedded default, the EF Core package has a database store.
/// </summary>
/// <remarks>
/// <para>Rules every implementation keeps (the specification tests of the KefuSync.Testing package,
/// <c>BlobStoreSpecification</c>, check each one):</para>
/// <list type="number">
/// <item><b>Streamed.</b> <see cref="PutAsync"/> reads the content in chunks and never holds it whole in memory;
/// <see cref="OpenReadAsync"/> returns a stream that reads in chunks. Blobs of hundreds of megabytes work in bounded memory.</item>
/// <item><b>All or nothing.</b> A blob becomes visible (to reads, infos and lists) only once its content was stored whole.
/// A put whose content stream throws, or that is cancelled, leaves nothing behind and lets the exception through; the
/// key can be put again later.</item>
/// <item><b>Create once.</b> A put to a key that exists stores nothing, returns <see cref="BlobPutResult.Created"/> false
/// with the existing blob's info, and need not read the content. Of concurrent puts to one key exactly one creates it.</item>
/// <item><b>Bytes come back exactly as written</b>, with the length and content type given at the put.</item>
/// <item><b>Missing is a value:</b> reading, describing or deleting a key that does not exist returns null or false, never
/// an exception. Exceptions mean the store is unreachable or broken; the caller treats them as retryable.</item>
/// </list>
/// <para>Keys are 1–300 characters of <c>[A-Za-z0-9_.-]</c> in segments separated by <c>/</c> (no empty, <c>.</c> or
/// <c>..</c> segment). KefuSync keeps a conversation's files under <c>conv/{key}/</c>, so <see cref="ListAsync"/> with
/// that prefix finds all of them (data erasure, quotas).</para>
/// </remarks>
public interface IBlobStore
{
    /// <summary>Stores <paramref name="content"/> (read to its end) under <paramref name="key"/>, unless the key exists.</summary>
    /// <param name="key">The blob's key.</param>
    /// <param name="content">The bytes; the caller owns (and disposes) the stream.</param>
    /// <param name="contentType">A media type stored with the blob, e.g. <c>image/png</c>.</param>
    /// <param name="cancellationToken">Cancels the put; nothing is stored then.</param>
    Task<BlobPutResult> PutAsync(string key, Stream content, string contentType, CancellationToken cancellationToken = default);

    /// <summary>Opens the blob for reading, or returns null when it does not exist. The caller disposes the result.</summary>
    Task<BlobContent?> OpenReadAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>The blob's info, or null when it does not exist.</summary>
    Task<BlobInfo?> GetInfoAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Deletes the blob; false when it did not exist.</summary>
    Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Every blob whose key starts with <paramref name="prefix"/> (plain string comparison), in ordinal key order.</summary>
    IAsyncEnumerable<BlobInfo> ListAsync(string prefix, CancellationToken cancellationToken = default);
}
