using System.Buffers;
using System.Runtime.CompilerServices;
using KefuSync.EntityFrameworkCore.Model;
using KefuSync.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KefuSync.EntityFrameworkCore.Stores;

/// <summary>
/// The blob store over any relational EF Core provider (SQLite, PostgreSQL, …), so several nodes share attachments with
/// no extra service. Tables: see <see cref="KefuSyncModelBuilderExtensions.AddKefuSyncModel"/>.
/// </summary>
/// <remarks>
/// <para><b>Streamed in chunks.</b> A put reads its content 256 KiB at a time and inserts each piece as a row of
/// <c>kefu_blob_chunks</c> under a fresh blob id; a read fetches one chunk per query as the caller reads. No call holds a
/// blob whole, whatever its size.</para>
/// <para><b>All or nothing, create once.</b> The <c>kefu_blobs</c> row is inserted after the last chunk; its primary key
/// (the blob key) decides which of two racing puts wins, and the loser deletes its own chunks. A put that fails or is
/// cancelled deletes what it wrote; chunks of a process that died in the middle have no <c>kefu_blobs</c> row, are never
/// visible, and are swept after an hour by the next put.</para>
/// <para>Every call uses a fresh context from the factory (pooled when registered so) and is bounded by
/// <see cref="KefuSyncEntityFrameworkOptions.OperationTimeout"/> per database round trip.</para>
/// </remarks>
internal sealed partial class EntityFrameworkBlobStore<TContext> : IBlobStore
    where TContext : DbContext
{
    internal const int ChunkSize = 256 * 1024;
    private static readonly TimeSpan OrphanAge = TimeSpan.FromHours(1);

    private readonly IDbContextFactory<TContext> _factory;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _lastSweep;

    public EntityFrameworkBlobStore(IServiceProvider services, IOptions<KefuSyncEntityFrameworkOptions> options, TimeProvider time, ILogger<EntityFrameworkBlobStore<TContext>> logger)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        _factory = services.GetService<IDbContextFactory<TContext>>()
            ?? throw new InvalidOperationException(
                $"The KefuSync Entity Framework blob store needs IDbContextFactory<{typeof(TContext).Name}>: register it with " +
                $"services.AddPooledDbContextFactory<{typeof(TContext).Name}>(...) or services.AddDbContextFactory<{typeof(TContext).Name}>(...).");
        _timeout = options.Value.OperationTimeout;
        _time = time;
        _logger = logger;
    }

    public async Task<BlobPutResult> PutAsync(string key, Stream content, string contentType, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(contentType);
        if (key.Length > KefuSyncModelBuilderExtensions.BlobKeyMaxLength)
        {
            throw new ArgumentException($"A blob key has at most {KefuSyncModelBuilderExtensions.BlobKeyMaxLength} characters.", nameof(key));
        }

        if (await GetInfoAsync(key, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return new BlobPutResult { Created = false, Blob = existing };
        }

        await SweepOrphansAsync(cancellationToken).ConfigureAwait(false);
        var blobId = Guid.NewGuid().ToString("N");
        var created = _time.GetUtcNow().ToUniversalTime();
        long length = 0;
        var sequence = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            while (true)
            {
                var filled = await FillAsync(content, buffer, cancellationToken).ConfigureAwait(false);
                if (filled == 0 && sequence > 0)
                {
                    break;
                }

                // One row per chunk (an empty blob has one empty chunk); the array is the row's own, the buffer is reused.
                var row = new BlobChunkRow { BlobId = blobId, Sequence = sequence, Data = buffer.AsSpan(0, filled).ToArray(), Written = created.ToUnixTimeMilliseconds() };
                await WithTimeoutAsync(async token =>
                {
                    await using var db = await _factory.CreateDbContextAsync(token).ConfigureAwait(false);
                    db.Add(row);
                    await db.SaveChangesAsync(token).ConfigureAwait(false);
                }, cancellationToken).ConfigureAwait(false);
                length += filled;
                sequence++;
                if (filled < ChunkSize)
                {
                    break;
                }
            }

            var blob = new BlobRow { Key = key, BlobId = blobId, Length = length, ChunkCount = sequence, ContentType = contentType, Created = created };
            try
            {
                await WithTimeoutAsync(async token =>
                {
                    await using var db = await _factory.CreateDbContextAsync(token).ConfigureAwait(false);
                    db.Add(blob);
                    await db.SaveChangesAsync(token).ConfigureAwait(false);
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateException ex) when (UniqueViolation.Matches(ex))
            {
                // Another put of the same key committed first: it wins, our chunks go.
                await DeleteChunksAsync(blobId).ConfigureAwait(false);
                var winner = await GetInfoAsync(key, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"The blob '{key}' was refused as a duplicate but cannot be read back.", ex);
                return new BlobPutResult { Created = false, Blob = winner };
            }
        }
        catch
        {
            // The content stream failed, the put was cancelled or the database refused: nothing of this put may remain.
            await DeleteChunksAsync(blobId).ConfigureAwait(false);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return new BlobPutResult { Created = true, Blob = new BlobInfo { Key = key, Length = length, ContentType = contentType, Created = created } };
    }

    public async Task<BlobContent?> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        var row = await FindAsync(key, cancellationToken).ConfigureAwait(false);
        return row is null ? null : new BlobContent(Info(row), new ChunkReadStream(this, row.BlobId, row.ChunkCount, row.Length));
    }

    public async Task<BlobInfo?> GetInfoAsync(string key, CancellationToken cancellationToken = default)
        => await FindAsync(key, cancellationToken).ConfigureAwait(false) is { } row ? Info(row) : null;

    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var row = await FindAsync(key, cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return false;
        }

        var deleted = await WithTimeoutAsync(async token =>
        {
            await using var db = await _factory.CreateDbContextAsync(token).ConfigureAwait(false);
            return await db.Set<BlobRow>().Where(b => b.Key == key && b.BlobId == row.BlobId).ExecuteDeleteAsync(token).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        await DeleteChunksAsync(row.BlobId).ConfigureAwait(false);
        return deleted > 0;
    }

    public async IAsyncEnumerable<BlobInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var rows = await WithTimeoutAsync(async token =>
        {
            await using var db = await _factory.CreateDbContextAsync(token).ConfigureAwait(false);
            return await db.Set<BlobRow>().AsNoTracking().Where(b => b.Key.StartsWith(prefix)).ToListAsync(token).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        // Filter and order here: LIKE is case-insensitive on SQLite, and the database's collation need not be ordinal.
        foreach (var row in rows.Where(r => r.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            yield return Info(row);
        }
    }

    private Task<BlobRow?> FindAsync(string key, CancellationToken cancellationToken) =>
        WithTimeoutAsync(async token =>
        {
            await using var db = await _factory.CreateDbContextAsync(token).ConfigureAwait(false);
            return await db.Set<BlobRow>().AsNoTracking().FirstOrDefaultAsync(b => b.Key == key, token).ConfigureAwait(false);
        }, cancellationToken);

    private async Task<byte[]> ReadChunkAsync(string blobId, int sequence, CancellationToken cancellationToken)
    {
        var data = await WithTimeoutAsync(async token =>
        {
            await using var db = await _factory.CreateDbContextAsync(token).ConfigureAwait(false);
            return await db.Set<BlobChunkRow>().AsNoTracking()
                .Where(c => c.BlobId == blobId && c.Sequence == sequence)
                .Select(c => c.Data)
                .FirstOrDefaultAsync(token).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        return data ?? throw new IOException($"Chunk {sequence} of blob {blobId} is gone: the blob was deleted while it was read.");
    }

    private async Task DeleteChunksAsync(string blobId)
    {
        try
        {
            // Not the caller's token: a cancelled put must still clean up after itself.
            await WithTimeoutAsync(async token =>
            {
                await using var db = await _factory.CreateDbContextAsync(token).ConfigureAwait(false);
                return await db.Set<BlobChunkRow>().Where(c => c.BlobId == blobId).ExecuteDeleteAsync(token).ConfigureAwait(false);
            }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or OperationCanceledException or InvalidOperationException)
        {
            // Invisible without a kefu_blobs row; the next sweep removes them.
            Log.ChunkCleanupFailed(_logger, blobId, ex);
        }
    }

    /// <summary>At most every ten minutes: deletes chunks older than an hour that no blob row names (puts that died midway).</summary>
    private async Task SweepOrphansAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var last = Interlocked.Read(ref _lastSweep);
        if (now.UtcTicks - last < TimeSpan.FromMinutes(10).Ticks || Interlocked.CompareExchange(ref _lastSweep, now.UtcTicks, last) != last)
        {
            return;
        }

        var cutoff = (now - OrphanAge).ToUnixTimeMilliseconds();
        var swept = await WithTimeoutAsync(async token =>
        {
            await using var db = await _factory.CreateDbContextAsync(token).ConfigureAwait(false);
            var blobs = db.Set<BlobRow>();
            return await db.Set<BlobChunkRow>()
                .Where(c => c.Written < cutoff && !blobs.Any(b => b.BlobId == c.BlobId))
                .ExecuteDeleteAsync(token).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        if (swept > 0)
        {
            Log.OrphansSwept(_logger, swept);
        }
    }

    private async Task<T> WithTimeoutAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            return await call(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"A blob store call took longer than {_timeout} (KefuSyncEntityFrameworkOptions.OperationTimeout).");
        }
    }

    private async Task WithTimeoutAsync(Func<CancellationToken, Task> call, CancellationToken cancellationToken)
        => await WithTimeoutAsync(async token =>
        {
            await call(token).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);

    private static async Task<int> FillAsync(Stream content, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < ChunkSize)
        {
            var read = await content.ReadAsync(buffer.AsMemory(filled, ChunkSize - filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }

    private static BlobInfo Info(BlobRow row) => new() { Key = row.Key, Length = row.Length, ContentType = row.ContentType, Created = row.Created };

    /// <summary>Reads a blob chunk by chunk, one query per chunk, as the caller asks for bytes.</summary>
    private sealed class ChunkReadStream(EntityFrameworkBlobStore<TContext> store, string blobId, int chunkCount, long length) : Stream
    {
        private byte[] _chunk = [];
        private int _offset;
        private int _next;
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (buffer.Length == 0)
            {
                return 0;
            }

            while (_offset == _chunk.Length)
            {
                if (_next >= chunkCount)
                {
                    return 0;
                }

                _chunk = await store.ReadChunkAsync(blobId, _next++, cancellationToken).ConfigureAwait(false);
                _offset = 0;
            }

            var n = Math.Min(buffer.Length, _chunk.Length - _offset);
            _chunk.AsMemory(_offset, n).CopyTo(buffer);
            _offset += n;
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
