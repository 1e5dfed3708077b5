using System.Security.Cryptography;
using KefuSync.Stores;
using Xunit;

namespace KefuSync.Testing;

/// <summary>
/// The specification of <see cref="IBlobStore"/>: every blob store inherits this class and must pass every test, unchanged.
/// It is the executable form of the rules in the interface's remarks.
/// </summary>
/// <remarks>
/// <para>Derive a test class, implement <see cref="CreateStoreAsync"/> (and dispose what it made in
/// <see cref="DisposeStoreAsync"/>), then make the tests pass. Each test uses keys under its own fresh prefix
/// (<see cref="NewPrefix"/>), so one store, database or directory may serve every test. What the tests demand, in short:</para>
/// <list type="bullet">
/// <item><b>Streaming</b>: content is read in chunks, from streams that hand out a few bytes per read, and blobs larger than
/// any one buffer come back byte for byte.</item>
/// <item><b>All or nothing</b>: a put whose stream throws, or that is cancelled, leaves no trace and can be repeated.</item>
/// <item><b>Create once</b>: a second put of a key keeps the first blob (and need not read its stream); of concurrent
/// puts exactly one creates it.</item>
/// <item><b>Missing is a value</b>: null or false, never an exception.</item>
/// <item><b>Listing</b> by a plain string prefix, in ordinal key order.</item>
/// </list>
/// </remarks>
public abstract class BlobStoreSpecification : IAsyncLifetime
{
    private IBlobStore? _store;

    /// <summary>Creates the specification; a derived class provides the store (<see cref="CreateStoreAsync"/>).</summary>
    protected BlobStoreSpecification()
    {
    }

    /// <summary>The store under test, created once per test by <see cref="CreateStoreAsync"/>.</summary>
    protected IBlobStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    /// <summary>Size of the large blob in <see cref="LargeBlob_StreamsThrough_AndComesBackByteForByte"/> (default 6 MiB).</summary>
    protected virtual int LargeBlobBytes => 6 * 1024 * 1024;

    /// <summary>Parallel puts of one key in the concurrency test.</summary>
    protected virtual int ConcurrentPutters => 6;

    /// <summary>Creates (or returns a shared) store for one test.</summary>
    protected abstract Task<IBlobStore> CreateStoreAsync();

    /// <summary>Releases what <see cref="CreateStoreAsync"/> made for this test; nothing by default.</summary>
    protected virtual Task DisposeStoreAsync(IBlobStore store) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await DisposeStoreAsync(_store);
        }
    }

    /// <summary>A key prefix no other test uses, ending in <c>/</c>.</summary>
    protected static string NewPrefix(string purpose = "spec") => $"{purpose}/{Guid.NewGuid():N}/";

    /// <summary>Deterministic pseudo-random bytes.</summary>
    protected static byte[] Bytes(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Reads a blob whole (tests only: blobs here are small enough).</summary>
    protected async Task<byte[]?> ReadAllAsync(string key)
    {
        await using var blob = await Store.OpenReadAsync(key);
        if (blob is null)
        {
            return null;
        }

        using var copy = new MemoryStream();
        await blob.Content.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>A new blob is readable whole, with the length and content type given at the put.</summary>
    [Fact]
    public async Task Put_ThenRead_ReturnsTheBytes_LengthAndContentType()
    {
        var key = NewPrefix() + "file";
        var bytes = Bytes(70_000);
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        var result = await Store.PutAsync(key, new MemoryStream(bytes), "image/png");
        Assert.True(result.Created);
        Assert.Equal(key, result.Blob.Key);
        Assert.Equal(bytes.Length, result.Blob.Length);
        Assert.Equal("image/png", result.Blob.ContentType);
        Assert.InRange(result.Blob.Created, before, DateTimeOffset.UtcNow.AddMinutes(1));

        await using (var blob = await Store.OpenReadAsync(key))
        {
            Assert.NotNull(blob);
            Assert.Equal(bytes.Length, blob.Info.Length);
            Assert.Equal("image/png", blob.Info.ContentType);
        }

        Assert.Equal(bytes, await ReadAllAsync(key));
        var info = await Store.GetInfoAsync(key);
        Assert.NotNull(info);
        Assert.Equal(bytes.Length, info.Length);
        Assert.Equal("image/png", info.ContentType);
        Assert.Equal(result.Blob.Created.ToUnixTimeMilliseconds(), info.Created.ToUnixTimeMilliseconds());
    }

    /// <summary>A zero-length blob is a blob.</summary>
    [Fact]
    public async Task EmptyBlob_IsStored_AndReadsAsEmpty()
    {
        var key = NewPrefix() + "empty";
        var result = await Store.PutAsync(key, new MemoryStream(), "text/plain");
        Assert.True(result.Created);
        Assert.Equal(0, result.Blob.Length);
        var read = await ReadAllAsync(key);
        Assert.NotNull(read);
        Assert.Empty(read);
    }

    /// <summary>
    /// A blob larger than any buffer, from a stream that hands out a few bytes per read, comes back byte for byte, also
    /// when read a few bytes at a time.
    /// </summary>
    [Fact]
    public async Task LargeBlob_StreamsThrough_AndComesBackByteForByte()
    {
        var key = NewPrefix() + "large";
        var bytes = Bytes(LargeBlobBytes, seed: 7);
        var result = await Store.PutAsync(key, new TrickleStream(bytes, maxRead: 4093), "application/octet-stream");
        Assert.Equal(bytes.Length, result.Blob.Length);

        await using var blob = await Store.OpenReadAsync(key);
        Assert.NotNull(blob);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1000];
        long total = 0;
        int read;
        while ((read = await blob.Content.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
        }

        Assert.Equal(bytes.Length, total);
        Assert.Equal(SHA256.HashData(bytes), hash.GetHashAndReset());
    }

    /// <summary>A second put of a key keeps the first blob and returns its info, without reading the new stream.</summary>
    [Fact]
    public async Task PutOfAnExistingKey_KeepsTheFirstBlob_AndNeedNotReadTheStream()
    {
        var key = NewPrefix() + "once";
        var first = Bytes(1000, seed: 1);
        var put = await Store.PutAsync(key, new MemoryStream(first), "image/jpeg");
        var again = await Store.PutAsync(key, new ThrowingStream(afterBytes: 0), "text/plain");
        Assert.False(again.Created);
        Assert.Equal(put.Blob.Length, again.Blob.Length);
        Assert.Equal("image/jpeg", again.Blob.ContentType);
        Assert.Equal(first, await ReadAllAsync(key));
    }

    /// <summary>Of concurrent puts of one key, exactly one creates it; all report the same blob, which is intact.</summary>
    [Fact]
    public async Task ConcurrentPuts_OfOneKey_CreateItExactlyOnce()
    {
        var key = NewPrefix() + "race";
        var contents = Enumerable.Range(1, ConcurrentPutters).Select(i => Bytes(300_000, seed: i)).ToArray();
        var results = await Task.WhenAll(contents.Select(c => Task.Run(() => Store.PutAsync(key, new TrickleStream(c, maxRead: 8192), "application/pdf"))));
        Assert.Single(results, r => r.Created);
        var stored = await ReadAllAsync(key);
        Assert.NotNull(stored);
        Assert.Contains(contents, c => c.AsSpan().SequenceEqual(stored));
        Assert.All(results, r => Assert.Equal(300_000, r.Blob.Length));
    }

    /// <summary>A put whose content stream fails midway lets the exception through and leaves nothing; the key can be put later.</summary>
    [Fact]
    public async Task FailedPut_LeavesNothing_AndTheKeyCanBePutAgain()
    {
        var prefix = NewPrefix();
        var key = prefix + "broken";
        await Assert.ThrowsAsync<IOException>(() => Store.PutAsync(key, new ThrowingStream(afterBytes: 200_000), "application/zip"));
        Assert.Null(await Store.GetInfoAsync(key));
        Assert.Null(await Store.OpenReadAsync(key));
        Assert.Empty(await ListAsync(prefix));

        var bytes = Bytes(5000);
        Assert.True((await Store.PutAsync(key, new MemoryStream(bytes), "application/zip")).Created);
        Assert.Equal(bytes, await ReadAllAsync(key));
    }

    /// <summary>A cancelled put throws <see cref="OperationCanceledException"/> and leaves nothing.</summary>
    [Fact]
    public async Task CancelledPut_LeavesNothing()
    {
        var prefix = NewPrefix();
        var key = prefix + "cancelled";
        using var cts = new CancellationTokenSource();
        var content = new TrickleStream(Bytes(2_000_000), maxRead: 65536, onRead: total =>
        {
            if (total > 500_000)
            {
                cts.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.PutAsync(key, content, "image/png", cts.Token));
        Assert.Null(await Store.GetInfoAsync(key));
        Assert.Empty(await ListAsync(prefix));
    }

    /// <summary>Missing keys are values: null infos and reads, false deletes.</summary>
    [Fact]
    public async Task MissingKey_IsNull_OrFalse_NeverAnException()
    {
        var key = NewPrefix() + "missing";
        Assert.Null(await Store.GetInfoAsync(key));
        Assert.Null(await Store.OpenReadAsync(key));
        Assert.False(await Store.DeleteAsync(key));
        Assert.Empty(await ListAsync(NewPrefix()));
    }

    /// <summary>Delete removes the blob (reads, infos and lists no longer see it), says whether it existed, and the key can be put anew.</summary>
    [Fact]
    public async Task Delete_RemovesTheBlob_AndTheKeyCanBePutAnew()
    {
        var prefix = NewPrefix();
        var key = prefix + "gone";
        await Store.PutAsync(key, new MemoryStream(Bytes(100, seed: 1)), "image/png");
        Assert.True(await Store.DeleteAsync(key));
        Assert.False(await Store.DeleteAsync(key));
        Assert.Null(await Store.GetInfoAsync(key));
        Assert.Null(await Store.OpenReadAsync(key));
        Assert.Empty(await ListAsync(prefix));

        var fresh = Bytes(200, seed: 2);
        Assert.True((await Store.PutAsync(key, new MemoryStream(fresh), "text/plain")).Created);
        Assert.Equal(fresh, await ReadAllAsync(key));
    }

    /// <summary>Deleting one blob leaves its neighbours (same directory-like prefix) alone.</summary>
    [Fact]
    public async Task Delete_LeavesOtherBlobsAlone()
    {
        var prefix = NewPrefix();
        await Store.PutAsync(prefix + "a/file", new MemoryStream(Bytes(10, 1)), "x/a");
        await Store.PutAsync(prefix + "a/thumb", new MemoryStream(Bytes(10, 2)), "x/b");
        Assert.True(await Store.DeleteAsync(prefix + "a/file"));
        Assert.Equal(Bytes(10, 2), await ReadAllAsync(prefix + "a/thumb"));
    }

    /// <summary>List returns exactly the keys that start with the prefix (a plain string prefix), in ordinal order, with their infos.</summary>
    [Fact]
    public async Task List_ReturnsTheKeysWithThePrefix_InOrdinalOrder()
    {
        var prefix = NewPrefix();
        string[] keys = [prefix + "b/2", prefix + "a/1", prefix + "a/10/x", prefix + "ab", prefix + "B"];
        for (var i = 0; i < keys.Length; i++)
        {
            await Store.PutAsync(keys[i], new MemoryStream(Bytes(i + 1, i)), "text/plain");
        }

        var all = await ListAsync(prefix);
        Assert.Equal(keys.Order(StringComparer.Ordinal), all.Select(b => b.Key));
        Assert.Equal(keys.Length, all.Count);
        Assert.All(all, b => Assert.Equal(Array.IndexOf(keys, b.Key) + 1, b.Length));

        Assert.Equal([prefix + "a/1", prefix + "a/10/x"], (await ListAsync(prefix + "a/")).Select(b => b.Key));
        Assert.Equal([prefix + "a/1", prefix + "a/10/x", prefix + "ab"], (await ListAsync(prefix + "a")).Select(b => b.Key));
        Assert.Empty(await ListAsync(prefix + "c"));
    }

    /// <summary>A reader keeps reading what it opened while another put of the same key is refused (blobs are immutable).</summary>
    [Fact]
    public async Task OpenRead_SeesTheWholeBlob_WhileAnotherPutOfTheKeyIsRefused()
    {
        var key = NewPrefix() + "steady";
        var bytes = Bytes(400_000, seed: 3);
        await Store.PutAsync(key, new MemoryStream(bytes), "image/webp");
        await using var blob = await Store.OpenReadAsync(key);
        Assert.NotNull(blob);
        var head = new byte[1000];
        await blob.Content.ReadExactlyAsync(head);
        Assert.False((await Store.PutAsync(key, new MemoryStream(Bytes(10, 4)), "text/plain")).Created);
        using var rest = new MemoryStream();
        await blob.Content.CopyToAsync(rest);
        Assert.Equal(bytes, head.Concat(rest.ToArray()).ToArray());
    }

    private async Task<List<BlobInfo>> ListAsync(string prefix)
    {
        var list = new List<BlobInfo>();
        await foreach (var info in Store.ListAsync(prefix))
        {
            list.Add(info);
        }

        return list;
    }

    /// <summary>A stream that can only be read forward, as a request body is; the subclasses decide what a read returns.</summary>
    private abstract class ForwardOnlyStream : Stream
    {
        protected int Consumed { get; set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Consumed; set => throw new NotSupportedException(); }

        public abstract override int Read(Span<byte> buffer);

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Hands out at most <c>maxRead</c> bytes per read, yielding before each, as a network stream does.</summary>
    private sealed class TrickleStream(byte[] bytes, int maxRead, Action<long>? onRead = null) : ForwardOnlyStream
    {
        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(Math.Min(buffer.Length, maxRead), bytes.Length - Consumed);
            bytes.AsSpan(Consumed, n).CopyTo(buffer);
            Consumed += n;
            onRead?.Invoke(Consumed);
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            return Read(buffer.Span);
        }
    }

    /// <summary>Hands out <c>afterBytes</c> bytes, then fails as a dropped connection does.</summary>
    private sealed class ThrowingStream(int afterBytes) : ForwardOnlyStream
    {
        public override int Read(Span<byte> buffer)
        {
            if (Consumed >= afterBytes)
            {
                throw new IOException("The client went away in the middle of the upload.");
            }

            var n = Math.Min(Math.Min(buffer.Length, 16384), afterBytes - Consumed);
            buffer[..n].Fill(0x5A);
            Consumed += n;
            return n;
        }
    }
}
