using System.Collections.Concurrent;
using System.IO.Compression;
using System.Security.Cryptography;

namespace KefuSync.Widget.Assets;

/// <summary>
/// The built front end (dist/*), embedded in this assembly as <c>kefu/&lt;file&gt;</c>. Each file is read once and kept
/// with a strong ETag (SHA-256 of its bytes) and gzip and Brotli copies, so serving it costs no I/O and no compression
/// per request. The files are small (tens of KiB), so compressing them once at the highest level takes milliseconds.
/// </summary>
internal sealed class EmbeddedAssets
{
    private readonly ConcurrentDictionary<string, EmbeddedAsset?> _cache = new(StringComparer.Ordinal);

    public EmbeddedAsset? Get(string file) => _cache.GetOrAdd(file, Load);

    private static EmbeddedAsset? Load(string file)
    {
        if (file.Length is 0 or > 64 || file.Contains('/') || file.Contains('\\') || file.StartsWith('.'))
        {
            return null;
        }

        var contentType = Path.GetExtension(file) switch
        {
            ".js" => "text/javascript; charset=utf-8",
            ".css" => "text/css; charset=utf-8",
            ".html" => "text/html; charset=utf-8",
            ".wav" => "audio/wav",
            ".mp3" => "audio/mpeg",
            _ => null,
        };
        using var stream = typeof(EmbeddedAssets).Assembly.GetManifestResourceStream("kefu/" + file);
        if (stream is null || contentType is null)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var bytes = buffer.ToArray();
        using var gzipped = new MemoryStream();
        using (var gzip = new GZipStream(gzipped, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        using var brotli = new MemoryStream();
        using (var encoder = new BrotliStream(brotli, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            encoder.Write(bytes);
        }

        var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 12)) + "\"";
        return new EmbeddedAsset(bytes, gzipped.ToArray(), brotli.ToArray(), contentType, etag);
    }
}
