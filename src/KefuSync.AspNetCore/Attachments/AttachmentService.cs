using System.Security.Cryptography;
using System.Text.Json;
using KefuSync.Security;
using KefuSync.Stores;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KefuSync.Attachments;

/// <summary>
/// Stores and finds attachments (docs/protocol.md §9) over <see cref="IBlobStore"/>: each attachment is three blobs under
/// its scope, <c>file</c>, <c>thumb</c> (images) and <c>meta</c>. The <c>meta</c> blob is written last, so it is the
/// commit point: an attachment exists once its metadata does, and a repeat of the upload (same scope, uploader and upload
/// id, hence the same attachment id) finds it and stores nothing.
/// </summary>
/// <remarks>
/// Streaming: a non-image goes from the request body straight into the blob store (<see cref="UploadStream"/> hashes,
/// counts and cuts it off at the limit). An image is spooled to a temporary file (it must be decoded whole anyway), then
/// re-encoded by <see cref="ImageProcessor"/>; only the re-encoded bytes are stored.
/// </remarks>
internal sealed partial class AttachmentService(
    IBlobStore blobs,
    UploadRateLimiter rateLimiter,
    TimeProvider time,
    IOptionsMonitor<KefuSyncOptions> options,
    ILogger<AttachmentService> logger)
{
    private const int CopyBuffer = 81920;

    public KefuAttachmentOptions Options => options.CurrentValue.Attachments;

    /// <summary>The allowed types: <see cref="KefuAttachmentOptions.AllowedTypes"/>, or the defaults when it is empty.</summary>
    public IReadOnlyList<string> AllowedTypes
        => Options.AllowedTypes.Count > 0 ? [.. Options.AllowedTypes] : KefuAttachmentOptions.DefaultAllowedTypes;

    /// <summary>Stores an upload (or finds the earlier one with the same upload id). The body is read at most to the limit.</summary>
    /// <exception cref="StoreFailedException">The blob store failed (<c>store_unavailable</c>).</exception>
    public async Task<UploadOutcome> UploadAsync(KefuPrincipal uploader, string scope, string uploadId, string name, Stream body, long? contentLength, CancellationToken cancellationToken)
    {
        var settings = Options;
        var id = AttachmentKeys.AttachmentId(scope, uploader.Id, uploadId);
        if (await FindAsync(scope, id, cancellationToken).ConfigureAwait(false) is { } earlier)
        {
            return new UploadOutcome(earlier, false, null); // a repeat: the body is not read
        }

        if (contentLength > settings.MaxBytes)
        {
            return UploadOutcome.Refused(TooLarge(settings.MaxBytes));
        }

        var limit = settings.MaxBytes;
        var quotaLimited = false;
        if (uploader.Role == PrincipalRole.Visitor)
        {
            if (!rateLimiter.TryAcquire(uploader.Id, out var retryAfter))
            {
                return UploadOutcome.Refused(new AttachmentRefusal(429, "rate_limited", $"At most {settings.UploadsPerMinute} files a minute; try again in {retryAfter} s.", Retry: true) { RetryAfterSeconds = retryAfter });
            }

            var remaining = settings.MaxBytesPerConversation - await UsedBytesAsync(scope, cancellationToken).ConfigureAwait(false);
            if (remaining <= 0 || contentLength > remaining)
            {
                return UploadOutcome.Refused(QuotaExceeded(settings.MaxBytesPerConversation));
            }

            if (remaining < limit)
            {
                limit = remaining;
                quotaLimited = true;
            }
        }

        var head = new byte[ContentSniffer.HeadBytes];
        var headLength = await FillAsync(body, head, cancellationToken).ConfigureAwait(false);
        var type = ContentSniffer.Sniff(head.AsSpan(0, headLength));
        var allowed = AllowedTypes;
        if (!allowed.Contains(type))
        {
            return UploadOutcome.Refused(new AttachmentRefusal(415, "type_not_allowed", $"Files of type {type} are not accepted; allowed: {string.Join(", ", allowed)}.") { Types = allowed });
        }

        var source = new UploadStream(head.AsMemory(0, headLength), body, limit);
        await using (source.ConfigureAwait(false))
        {
            try
            {
                var stored = ContentSniffer.IsImage(type)
                    ? await StoreImageAsync(uploader, scope, id, name, type, source, cancellationToken).ConfigureAwait(false)
                    : await StoreFileAsync(uploader, scope, id, name, type, source, cancellationToken).ConfigureAwait(false);
                if (stored.Attachment is not null && stored.Created)
                {
                    Log.Stored(logger, id, stored.Attachment.Type, stored.Attachment.Size);
                }

                return stored;
            }
            catch (UploadLimitExceededException)
            {
                return UploadOutcome.Refused(quotaLimited ? QuotaExceeded(settings.MaxBytesPerConversation) : TooLarge(settings.MaxBytes));
            }
        }
    }

    /// <summary>
    /// Copies the attachment <paramref name="sourceId"/> of <paramref name="sourceScope"/> into <paramref name="scope"/> as a
    /// new attachment of that scope (docs/protocol.md §9.1 <c>copy</c>): a canned reply's file becomes a file of the
    /// conversation it is sent to, so that conversation's visitor may download it and nobody else. The new id is a function
    /// of the target scope, the agent and <paramref name="uploadId"/>, so a repeat finds the first copy and copies nothing.
    /// Null when the source does not exist. The bytes are streamed blob to blob; nothing is decoded again.
    /// </summary>
    /// <exception cref="StoreFailedException">The blob store failed (<c>store_unavailable</c>).</exception>
    public async Task<UploadOutcome?> CopyAsync(KefuPrincipal agent, string scope, string uploadId, string sourceScope, string sourceId, CancellationToken cancellationToken)
    {
        var id = AttachmentKeys.AttachmentId(scope, agent.Id, uploadId);
        if (await FindAsync(scope, id, cancellationToken).ConfigureAwait(false) is { } earlier)
        {
            return new UploadOutcome(earlier, false, null);
        }

        var source = await FindAsync(sourceScope, sourceId, cancellationToken).ConfigureAwait(false);
        if (source is null)
        {
            return null;
        }

        if (!await CopyBlobAsync(AttachmentKeys.File(sourceScope, sourceId), AttachmentKeys.File(scope, id), source.Type, cancellationToken).ConfigureAwait(false))
        {
            return null; // deleted between its metadata and its bytes
        }

        var thumb = source.Thumb && await CopyBlobAsync(AttachmentKeys.Thumb(sourceScope, sourceId), AttachmentKeys.Thumb(scope, id), ContentSniffer.WebP, cancellationToken).ConfigureAwait(false);
        var meta = source with { Id = id, Thumb = thumb, Uploader = agent.Id, Created = time.GetUtcNow().ToUnixTimeMilliseconds() };
        var outcome = await CommitAsync(scope, meta, cancellationToken).ConfigureAwait(false);
        if (outcome.Created)
        {
            Log.Copied(logger, sourceId, id);
        }

        return outcome;
    }

    private async Task<bool> CopyBlobAsync(string from, string to, string contentType, CancellationToken cancellationToken)
    {
        await using var blob = await Guard(() => blobs.OpenReadAsync(from, cancellationToken)).ConfigureAwait(false);
        if (blob is null)
        {
            return false;
        }

        await Guard(() => blobs.PutAsync(to, blob.Content, contentType, cancellationToken)).ConfigureAwait(false);
        return true;
    }

    /// <summary>The attachment <paramref name="id"/> of <paramref name="scope"/>, or null when there is none.</summary>
    public async Task<AttachmentMetadata?> FindAsync(string scope, string id, CancellationToken cancellationToken)
    {
        if (!AttachmentKeys.IsScope(scope) || !AttachmentKeys.IsAttachmentId(id))
        {
            return null;
        }

        await using var meta = await Guard(() => blobs.OpenReadAsync(AttachmentKeys.Meta(scope, id), cancellationToken)).ConfigureAwait(false);
        if (meta is null)
        {
            return null;
        }

        // A few hundred bytes: small enough to read whole.
        return await JsonSerializer.DeserializeAsync(meta.Content, AttachmentJsonContext.Default.AttachmentMetadata, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens the stored file or thumbnail, or null when the attachment does not exist.</summary>
    public Task<BlobContent?> OpenAsync(string scope, string id, bool thumbnail, CancellationToken cancellationToken)
        => Guard(() => blobs.OpenReadAsync(thumbnail ? AttachmentKeys.Thumb(scope, id) : AttachmentKeys.File(scope, id), cancellationToken));

    /// <summary>Deletes an attachment's blobs (a recalled message, data erasure): metadata first, so it stops existing at once.</summary>
    public async Task<bool> DeleteAsync(string scope, string id, CancellationToken cancellationToken)
    {
        if (!AttachmentKeys.IsScope(scope) || !AttachmentKeys.IsAttachmentId(id))
        {
            return false;
        }

        var existed = await Guard(() => blobs.DeleteAsync(AttachmentKeys.Meta(scope, id), cancellationToken)).ConfigureAwait(false);
        await Guard(() => blobs.DeleteAsync(AttachmentKeys.File(scope, id), cancellationToken)).ConfigureAwait(false);
        await Guard(() => blobs.DeleteAsync(AttachmentKeys.Thumb(scope, id), cancellationToken)).ConfigureAwait(false);
        if (existed)
        {
            Log.Deleted(logger, id);
        }

        return existed;
    }

    /// <summary>The metadata object a <c>msg</c> op stores as <c>att</c> (§9.3): no uploader, no time, no URLs.</summary>
    public static byte[] MessageJson(AttachmentMetadata meta)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            AttachmentEndpoints.WriteMetadataMembers(writer, meta);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Stores a file given whole by server code (<see cref="IKefuSyncService"/>): the same rules as an upload but the rate limit.</summary>
    public Task<UploadOutcome> StoreFromServerAsync(KefuPrincipal author, string scope, string uploadId, string name, Stream content, CancellationToken cancellationToken)
        => UploadAsync(author, scope, uploadId, name, content, contentLength: null, cancellationToken);

    private async Task<long> UsedBytesAsync(string scope, CancellationToken cancellationToken)
    {
        try
        {
            long used = 0;
            await foreach (var blob in blobs.ListAsync(AttachmentKeys.ScopePrefix(scope), cancellationToken).ConfigureAwait(false))
            {
                if (blob.Key.EndsWith("/file", StringComparison.Ordinal))
                {
                    used += blob.Length;
                }
            }

            return used;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new StoreFailedException(ex);
        }
    }

    private async Task<UploadOutcome> StoreFileAsync(KefuPrincipal uploader, string scope, string id, string name, string type, UploadStream source, CancellationToken cancellationToken)
    {
        var put = await Guard(() => blobs.PutAsync(AttachmentKeys.File(scope, id), source, type, cancellationToken)).ConfigureAwait(false);
        var hash = put.Created ? source.HashHex() : await HashOfStoredAsync(AttachmentKeys.File(scope, id), cancellationToken).ConfigureAwait(false);
        var meta = new AttachmentMetadata
        {
            Id = id, Name = name, Size = put.Blob.Length, Type = put.Blob.ContentType, Sha256 = hash, Thumb = false,
            Uploader = uploader.Id, Created = time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        return await CommitAsync(scope, meta, cancellationToken).ConfigureAwait(false);
    }

    private async Task<UploadOutcome> StoreImageAsync(KefuPrincipal uploader, string scope, string id, string name, string type, UploadStream source, CancellationToken cancellationToken)
    {
        // The whole image is needed to decode it: spool it to a temporary file (streamed), never to memory.
        var spool = Path.Combine(Path.GetTempPath(), "kefu-upload-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var file = new FileStream(spool, FileMode.CreateNew, FileAccess.Write, FileShare.Read, CopyBuffer, FileOptions.Asynchronous))
            {
                await source.CopyToAsync(file, CopyBuffer, cancellationToken).ConfigureAwait(false);
            }

            using var image = ImageProcessor.Process(spool, type, Options.MaxImagePixels, out var refusal);
            if (image is null)
            {
                Log.ImageRefused(logger, id, refusal!.Code);
                return UploadOutcome.Refused(refusal);
            }

            var fileKey = AttachmentKeys.File(scope, id);
            BlobPutResult put;
            using (var bytes = image.Image.AsStream())
            {
                put = await Guard(() => blobs.PutAsync(fileKey, bytes, image.Type, cancellationToken)).ConfigureAwait(false);
            }

            using (var thumb = image.Thumbnail.AsStream())
            {
                await Guard(() => blobs.PutAsync(AttachmentKeys.Thumb(scope, id), thumb, ContentSniffer.WebP, cancellationToken)).ConfigureAwait(false);
            }

            var hash = put.Created ? Convert.ToHexStringLower(SHA256.HashData(image.Image.AsSpan())) : await HashOfStoredAsync(fileKey, cancellationToken).ConfigureAwait(false);
            var meta = new AttachmentMetadata
            {
                Id = id, Name = name, Size = put.Blob.Length, Type = put.Blob.ContentType, Width = image.Width, Height = image.Height,
                Sha256 = hash, Thumb = true, Uploader = uploader.Id, Created = time.GetUtcNow().ToUnixTimeMilliseconds(),
            };
            return await CommitAsync(scope, meta, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(spool);
        }
    }

    /// <summary>Writes the metadata blob, the commit point. A concurrent repeat that committed first wins, and its metadata is returned.</summary>
    private async Task<UploadOutcome> CommitAsync(string scope, AttachmentMetadata meta, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(meta, AttachmentJsonContext.Default.AttachmentMetadata);
        using var content = new MemoryStream(bytes, writable: false);
        var put = await Guard(() => blobs.PutAsync(AttachmentKeys.Meta(scope, meta.Id), content, "application/json", cancellationToken)).ConfigureAwait(false);
        if (put.Created)
        {
            return new UploadOutcome(meta, true, null);
        }

        var winner = await FindAsync(scope, meta.Id, cancellationToken).ConfigureAwait(false);
        return new UploadOutcome(winner ?? meta, false, null);
    }

    /// <summary>The hash of a blob another put stored first (a race between two repeats of one upload): read back, chunk by chunk.</summary>
    private async Task<string> HashOfStoredAsync(string key, CancellationToken cancellationToken)
    {
        await using var blob = await Guard(() => blobs.OpenReadAsync(key, cancellationToken)).ConfigureAwait(false)
            ?? throw new StoreFailedException(new InvalidOperationException($"The blob '{key}' was reported present but cannot be read."));
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(blob.Content, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<int> FillAsync(Stream body, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await body.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }

    /// <summary>Runs a blob-store call; its failures (but the upload's own limit and the caller's cancellation) become <see cref="StoreFailedException"/>.</summary>
    private static async Task<T> Guard<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (UploadLimitExceededException or OperationCanceledException or StoreFailedException or UploadBodyException))
        {
            throw new StoreFailedException(ex);
        }
    }

    private static AttachmentRefusal TooLarge(long limit)
        => new(413, "too_large", $"The file is larger than {limit} bytes.") { Limit = limit };

    private static AttachmentRefusal QuotaExceeded(long limit)
        => new(413, "quota_exceeded", $"This conversation's files would take more than {limit} bytes.") { Limit = limit };
}
