using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SkiaSharp;

namespace KefuSync.Integration.Tests.Attachments;

/// <summary>
/// The hostile and ordinary files of the attachment tests, generated in code (no binary fixtures): each method says what
/// its bytes are, so a reader can check the test's premise.
/// </summary>
internal static class TestFiles
{
    /// <summary>A real PNG of <paramref name="width"/> × <paramref name="height"/> (a gradient), encoded by Skia.</summary>
    public static byte[] Png(int width = 64, int height = 48, string? textChunk = null)
    {
        using var bitmap = Gradient(width, height);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        var png = data.ToArray();
        return textChunk is null ? png : InsertPngChunk(png, "tEXt", Encoding.Latin1.GetBytes("Comment\0" + textChunk));
    }

    /// <summary>A real JPEG, encoded by Skia (which writes no EXIF).</summary>
    public static byte[] Jpeg(int width = 64, int height = 48)
    {
        using var bitmap = Gradient(width, height);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }

    /// <summary>The marker written into the GPS EXIF of <see cref="JpegWithGps"/> (GPSAreaInformation, an ASCII tag).</summary>
    public const string GpsMarker = "GPS-SECRET-47.3769N-8.5417E";

    /// <summary>
    /// A JPEG with an EXIF APP1 segment right after SOI: a big-endian TIFF whose IFD0 has a GPSInfo pointer to a GPS IFD
    /// with GPSLatitudeRef "N", GPSLongitudeRef "E" and GPSAreaInformation = <see cref="GpsMarker"/>.
    /// </summary>
    public static byte[] JpegWithGps()
    {
        var jpeg = Jpeg(80, 60);
        var tiff = new List<byte>();
        tiff.AddRange("MM"u8.ToArray());
        tiff.AddRange(U16(42));
        tiff.AddRange(U32(8)); // IFD0 at 8
        // IFD0: one entry, GPSInfo (0x8825, LONG) -> GPS IFD at 8 + 2 + 12 + 4 = 26
        tiff.AddRange(U16(1));
        tiff.AddRange(Entry(0x8825, 4, 1, U32(26)));
        tiff.AddRange(U32(0));
        // GPS IFD at 26: three entries, then the area string after it
        var area = Encoding.ASCII.GetBytes("ASCII\0\0\0" + GpsMarker);
        var areaOffset = 26 + 2 + (3 * 12) + 4;
        tiff.AddRange(U16(3));
        tiff.AddRange(Entry(0x0001, 2, 2, [(byte)'N', 0, 0, 0]));
        tiff.AddRange(Entry(0x0003, 2, 2, [(byte)'E', 0, 0, 0]));
        tiff.AddRange(Entry(0x001C, 7, (uint)area.Length, U32((uint)areaOffset)));
        tiff.AddRange(U32(0));
        tiff.AddRange(area);
        var payload = "Exif\0\0"u8.ToArray().Concat(tiff).ToArray();
        var segment = new List<byte> { 0xFF, 0xE1 };
        segment.AddRange(U16((ushort)(payload.Length + 2)));
        segment.AddRange(payload);
        return [.. jpeg[..2], .. segment, .. jpeg[2..]];
    }

    /// <summary>
    /// A 57-byte-ish PNG that declares 50,000 × 50,000 RGBA pixels (10 GB decoded) with a valid IHDR (CRC included) and
    /// a tiny IDAT: a decompression bomb's header.
    /// </summary>
    public static byte[] PngBomb(int width = 50_000, int height = 50_000)
    {
        var output = new MemoryStream();
        output.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 6; // RGBA
        WriteChunk(output, "IHDR", ihdr);
        using (var compressed = new MemoryStream())
        {
            using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
            {
                zlib.Write(new byte[64 * 1024]); // the first rows: zeros compress to almost nothing
            }

            WriteChunk(output, "IDAT", compressed.ToArray());
        }

        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    public static readonly byte[] SvgWithScript =
        "<?xml version=\"1.0\"?>\n<!-- a logo -->\n<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(document.cookie)\"><script>alert(1)</script><circle r=\"5\"/></svg>"u8.ToArray();

    public static readonly byte[] Html = "<!DOCTYPE html><html><body><script>fetch('/steal?c='+document.cookie)</script></body></html>"u8.ToArray();

    /// <summary>A GIF header followed by script: a GIF/JavaScript polyglot ("GIF89a" is a valid JS identifier start). Not a decodable GIF.</summary>
    public static readonly byte[] GifScriptPolyglot = "GIF89a/*\u0000\u0000*/=1;alert(document.domain);//"u8.ToArray();

    public static readonly byte[] Pdf = "%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"u8.ToArray();

    private static SKBitmap Gradient(int width, int height)
    {
        var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                bitmap.SetPixel(x, y, new SKColor((byte)(x * 255 / width), (byte)(y * 255 / height), 128));
            }
        }

        return bitmap;
    }

    private static byte[] InsertPngChunk(byte[] png, string type, byte[] data)
    {
        // After the signature (8) and IHDR (4 length + 4 type + 13 data + 4 crc = 25).
        var output = new MemoryStream();
        output.Write(png.AsSpan(0, 33));
        WriteChunk(output, type, data);
        output.Write(png.AsSpan(33));
        return output.ToArray();
    }

    private static void WriteChunk(Stream output, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)data.Length);
        output.Write(length);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        output.Write(typeBytes);
        output.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(length, Crc32([.. typeBytes, .. data]));
        output.Write(length);
    }

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }

    private static byte[] Entry(ushort tag, ushort type, uint count, byte[] value) => [.. U16(tag), .. U16(type), .. U32(count), .. value];

    private static byte[] U16(ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] U32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }
}
