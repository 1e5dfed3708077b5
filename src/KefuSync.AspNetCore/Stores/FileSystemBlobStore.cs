using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace KefuSync.Stores;

/// <summary>
/// The embedded blob store: one file per blob under a root directory (key segments become directories).
/// </summary>
/// <remarks>
/// <para><b>All or nothing</b> comes from the file system: a put streams into a fresh file under <c>.tmp/</c> and then
/// moves it to its place with a no-replace move (a hard link on Unix, which fails when the target exists), so a reader
/// never sees half a blob, and of two racing puts exactly one wins; the loser deletes its temporary file.</para>
/// <para>Each file starts with a small header (magic, content type, creation time) so that a blob is one file and one
/// atomic move; reads skip it.</para>
/// </remarks>
internal sealed class FileSystemBlobStore : IBlobStore
{
    private const int BufferSize = 81920;
    private const string TempDirectory = ".tmp";
    private static readonly byte[] Magic = "KFB1"u8.ToArray();

    private readonly string _root;
    private readonly TimeProvider _time;
    private int _swept;

    public FileSystemBlobStore(string root, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        _root = Path.GetFullPath(root);
        _time = time;
    }

    public string Root => _root;

    public async Task<BlobPutResult> PutAsync(string key, Stream content, string contentType, CancellationToken cancellationToken = default)
    {
        BlobKeys.Validate(key);
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(contentType);
        var path = PathOf(key);
        if (ReadInfo(key, path) is { } existing)
        {
            return new BlobPutResult { Created = false, Blob = existing };
        }

        var temp = Path.Combine(_root, TempDirectory, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.GetDirectoryName(temp)!);
        SweepTemporaryFilesOnce();
        var created = _time.GetUtcNow();
        long length = 0;
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous))
            {
                await file.WriteAsync(Header(contentType, created), cancellationToken).ConfigureAwait(false);
                var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
                try
                {
                    int read;
                    while ((read = await content.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                        length += read;
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }

                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (!TryPublish(temp, path) && ReadInfo(key, path) is { } winner)
            {
                // Another put of the same key got there first: keep its blob, drop ours.
                File.Delete(temp);
                return new BlobPutResult { Created = false, Blob = winner };
            }
        }
        catch
        {
            DeleteQuietly(temp);
            throw;
        }

        return new BlobPutResult { Created = true, Blob = new BlobInfo { Key = key, Length = length, ContentType = contentType, Created = created } };
    }

    public Task<BlobContent?> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        if (!BlobKeys.IsValid(key))
        {
            return Task.FromResult<BlobContent?>(null);
        }

        FileStream file;
        try
        {
            // Delete is shared: a download in progress keeps reading a file deleted meanwhile (Unix semantics).
            file = new FileStream(PathOf(key), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<BlobContent?>(null);
        }

        try
        {
            var (contentType, created, headerLength) = ReadHeader(file);
            var info = new BlobInfo { Key = key, Length = file.Length - headerLength, ContentType = contentType, Created = created };
            return Task.FromResult<BlobContent?>(new BlobContent(info, file));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public Task<BlobInfo?> GetInfoAsync(string key, CancellationToken cancellationToken = default)
        => Task.FromResult(BlobKeys.IsValid(key) ? ReadInfo(key, PathOf(key)) : null);

    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        if (!BlobKeys.IsValid(key))
        {
            return Task.FromResult(false);
        }

        var path = PathOf(key);
        if (!File.Exists(path))
        {
            return Task.FromResult(false);
        }

        File.Delete(path);
        RemoveEmptyParents(Path.GetDirectoryName(path)!);
        return Task.FromResult(true);
    }

    public async IAsyncEnumerable<BlobInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        // Start from the deepest directory the prefix names whole; filter the rest by the key string.
        var cut = prefix.LastIndexOf('/');
        var directory = cut < 0 ? _root : Path.Combine(_root, prefix[..cut].Replace('/', Path.DirectorySeparatorChar));
        if (cut >= 0 && !BlobKeys.IsValid(prefix[..cut]))
        {
            yield break;
        }

        if (!Directory.Exists(directory))
        {
            yield break;
        }

        var temp = Path.Combine(_root, TempDirectory);
        var keys = new List<string>();
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            if (file.StartsWith(temp + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                continue;
            }

            var key = Path.GetRelativePath(_root, file).Replace(Path.DirectorySeparatorChar, '/');
            if (key.StartsWith(prefix, StringComparison.Ordinal) && BlobKeys.IsValid(key))
            {
                keys.Add(key);
            }
        }

        keys.Sort(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (ReadInfo(key, PathOf(key)) is { } info)
            {
                yield return info;
            }
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>
    /// Moves the finished temporary file to its key's place unless a file is there, atomically: of two racing puts exactly
    /// one succeeds. <see cref="File.Move(string, string, bool)"/> without overwrite is not enough on Unix (it checks, then
    /// renames), so there a hard link is made (<c>link(2)</c> fails with EEXIST when the target exists) and the temporary
    /// name removed; on Windows a move without replace is atomic already. False: the target existed.
    /// </summary>
    private static bool TryPublish(string temp, string path)
    {
        if (OperatingSystem.IsWindows())
        {
            try
            {
                File.Move(temp, path, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(path))
            {
                return false;
            }
        }

        if (Native.link(temp, path) == 0)
        {
            File.Delete(temp);
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        if (errno == Native.EEXIST)
        {
            return false;
        }

        throw new IOException($"Could not store the blob at {path} (errno {errno}).");
    }

    private string PathOf(string key) => Path.Combine(_root, key.Replace('/', Path.DirectorySeparatorChar));

    private static BlobInfo? ReadInfo(string key, string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 512);
            var (contentType, created, headerLength) = ReadHeader(file);
            return new BlobInfo { Key = key, Length = file.Length - headerLength, ContentType = contentType, Created = created };
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    // Header: "KFB1", int64 creation (Unix ms, big endian), uint16 type length, type (UTF-8).
    private static byte[] Header(string contentType, DateTimeOffset created)
    {
        var type = Encoding.UTF8.GetBytes(contentType);
        if (type.Length > ushort.MaxValue)
        {
            throw new ArgumentException("The content type is too long.", nameof(contentType));
        }

        var header = new byte[Magic.Length + 8 + 2 + type.Length];
        Magic.CopyTo(header, 0);
        BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(4), created.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(12), (ushort)type.Length);
        type.CopyTo(header, 14);
        return header;
    }

    private static (string ContentType, DateTimeOffset Created, int Length) ReadHeader(FileStream file)
    {
        Span<byte> fixedPart = stackalloc byte[14];
        file.ReadExactly(fixedPart);
        if (!fixedPart[..4].SequenceEqual(Magic))
        {
            throw new InvalidDataException($"{file.Name} is not a KefuSync blob.");
        }

        var created = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(fixedPart[4..]));
        var typeLength = BinaryPrimitives.ReadUInt16BigEndian(fixedPart[12..]);
        var type = new byte[typeLength];
        file.ReadExactly(type);
        return (Encoding.UTF8.GetString(type), created, 14 + typeLength);
    }

    private void RemoveEmptyParents(string directory)
    {
        // Best effort, so erased conversations leave no empty directories; a concurrent put may refill one, which stops it.
        while (directory.Length > _root.Length && directory.StartsWith(_root, StringComparison.Ordinal))
        {
            try
            {
                if (Directory.EnumerateFileSystemEntries(directory).Any())
                {
                    return;
                }

                Directory.Delete(directory);
            }
            catch (IOException)
            {
                return; // not empty after all, or in use: leave it
            }

            directory = Path.GetDirectoryName(directory)!;
        }
    }

    /// <summary>
    /// Once per instance: deletes temporary files older than an hour, left by a process that died in the middle of a put
    /// (they were never visible as blobs).
    /// </summary>
    private void SweepTemporaryFilesOnce()
    {
        if (Interlocked.Exchange(ref _swept, 1) == 1)
        {
            return;
        }

        var cutoff = _time.GetUtcNow().UtcDateTime - TimeSpan.FromHours(1);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(_root, TempDirectory)))
        {
            if (File.GetLastWriteTimeUtc(file) < cutoff)
            {
                DeleteQuietly(file);
            }
        }
    }

    private static class Native
    {
        public const int EEXIST = 17;

        [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int link(string oldpath, string newpath);
    }

    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The put failed already; a leftover temporary file is swept by the next process (SweepTemporaryFilesOnce).
            return;
        }
    }
}
