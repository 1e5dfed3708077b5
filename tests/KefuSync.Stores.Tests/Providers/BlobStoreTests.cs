using KefuSync.EntityFrameworkCore;
using KefuSync.Testing;
using KefuSync.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Stores.Tests.Providers;

/// <summary>The embedded file-system blob store against the specification, in a fresh temp directory per test.</summary>
public sealed class FileSystemBlobStoreTests : BlobStoreSpecification
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "kefu-blobs-" + Guid.NewGuid().ToString("N")[..12]);

    protected override Task<IBlobStore> CreateStoreAsync() => Task.FromResult<IBlobStore>(new FileSystemBlobStore(_root, TimeProvider.System));

    protected override Task DisposeStoreAsync(IBlobStore store)
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }

        return Task.CompletedTask;
    }

    /// <summary>A failed put leaves no temporary file behind either (not only no visible blob).</summary>
    [Fact]
    public async Task FailedPut_LeavesNoTemporaryFile()
    {
        var store = new FileSystemBlobStore(_root, TimeProvider.System);
        await store.PutAsync("a/ok", new MemoryStream(Bytes(10)), "text/plain");
        await Assert.ThrowsAsync<IOException>(() => store.PutAsync("a/broken", new FailingStream(), "text/plain"));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_root, ".tmp")));
    }

    /// <summary>Deleting the last blob of a conversation removes its now-empty directories.</summary>
    [Fact]
    public async Task Delete_RemovesEmptyDirectories()
    {
        var store = new FileSystemBlobStore(_root, TimeProvider.System);
        await store.PutAsync("conv/k1/att/file", new MemoryStream(Bytes(10)), "text/plain");
        Assert.True(await store.DeleteAsync("conv/k1/att/file"));
        Assert.False(Directory.Exists(Path.Combine(_root, "conv", "k1")));
    }

    /// <summary>Keys that would leave the root (<c>..</c>, absolute, backslashes) are refused, never resolved.</summary>
    [Theory]
    [InlineData("../escape")]
    [InlineData("a/../../escape")]
    [InlineData("/etc/passwd")]
    [InlineData("a\\b")]
    [InlineData("a//b")]
    public async Task KeysOutsideTheRoot_AreRefused(string key)
    {
        var store = new FileSystemBlobStore(_root, TimeProvider.System);
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync(key, new MemoryStream(Bytes(1)), "text/plain"));
        Assert.Null(await store.OpenReadAsync(key));
        Assert.False(await store.DeleteAsync(key));
    }

    private sealed class FailingStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => 0; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw new IOException("gone");

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>The EF Core blob store on SQLite (a file database) against the specification.</summary>
public sealed class SqliteBlobStoreTests(SqliteDatabaseFixture database) : BlobStoreSpecification, IClassFixture<SqliteDatabaseFixture>
{
    // SQLite has one writer at a time: fewer racing putters keep the test quick while still racing.
    protected override int ConcurrentPutters => 4;

    protected override Task<IBlobStore> CreateStoreAsync() => Task.FromResult(database.Services.GetRequiredService<IBlobStore>());
}

/// <summary>The EF Core blob store on a real PostgreSQL 15 server against the specification.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresBlobStoreTests(PostgresServerFixture server) : BlobStoreSpecification
{
    private ServiceProvider? _services;

    protected override async Task<IBlobStore> CreateStoreAsync()
    {
        _services = await TestHosts.EntityFrameworkAsync(options => options.UseNpgsql(server.ConnectionString("kefu_blob_spec")), blobs: true);
        return _services.GetRequiredService<IBlobStore>();
    }

    protected override async Task DisposeStoreAsync(IBlobStore store)
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }
}
