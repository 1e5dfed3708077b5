using SkiaSharp;

namespace KefuSync.Attachments;

/// <summary>
/// Decodes an uploaded image and re-encodes it from its pixels alone (docs/protocol.md §9.2), so nothing but pixels
/// survives: EXIF (with GPS), XMP, comments and whatever a polyglot hid in them are never copied. The EXIF orientation is
/// applied first, so the stored image looks as the photo did.
/// </summary>
/// <remarks>
/// The dimensions come from the header (<see cref="SKCodec"/> reads only that when it is created); an image declaring more
/// than the pixel cap is refused before a pixel buffer exists, which is what stops a decompression bomb (a 50,000 × 50,000
/// PNG of a few kilobytes would need 10 GB). Decoding needs width × height × 4 bytes of native memory, bounded by the cap.
/// </remarks>
internal static class ImageProcessor
{
    public const int ThumbnailBox = 320;
    private const int JpegQuality = 88;
    private const int WebPQuality = 85;
    private const int ThumbnailQuality = 78;

    /// <summary>Re-encodes the image in <paramref name="path"/>, or says why not.</summary>
    /// <param name="path">A file holding the whole upload.</param>
    /// <param name="sniffedType">One of the image types of <see cref="ContentSniffer"/>.</param>
    /// <param name="maxPixels">The pixel cap (<c>Attachments:MaxImagePixels</c>).</param>
    /// <param name="refusal">Why the image was refused (<c>image_too_large</c> or <c>invalid_image</c>).</param>
    public static ProcessedImage? Process(string path, string sniffedType, long maxPixels, out AttachmentRefusal? refusal)
    {
        refusal = null;
        using var codec = SKCodec.Create(path, out var created);
        if (codec is null || created != SKCodecResult.Success)
        {
            refusal = Invalid();
            return null;
        }

        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0)
        {
            refusal = Invalid();
            return null;
        }

        if ((long)info.Width * info.Height > maxPixels)
        {
            refusal = new AttachmentRefusal(422, "image_too_large", $"The image has {(long)info.Width * info.Height} pixels; at most {maxPixels} are accepted.") { Limit = maxPixels };
            return null;
        }

        var opaque = sniffedType == ContentSniffer.Jpeg;
        var decodeInfo = new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, opaque ? SKAlphaType.Opaque : SKAlphaType.Premul, SKColorSpace.CreateSrgb());
        using var decoded = new SKBitmap(decodeInfo);
        var result = codec.GetPixels(decodeInfo, decoded.GetPixels());
        if (result != SKCodecResult.Success)
        {
            // Truncated or corrupt data: refuse rather than store a half-grey picture of what the visitor sent.
            refusal = Invalid();
            return null;
        }

        using var oriented = Orient(decoded, codec.EncodedOrigin);
        var (format, quality, type) = sniffedType switch
        {
            ContentSniffer.Jpeg => (SKEncodedImageFormat.Jpeg, JpegQuality, ContentSniffer.Jpeg),
            ContentSniffer.WebP => (SKEncodedImageFormat.Webp, WebPQuality, ContentSniffer.WebP),
            _ => (SKEncodedImageFormat.Png, 100, ContentSniffer.Png), // PNG stays PNG; a GIF's first frame becomes PNG
        };

        using var image = SKImage.FromBitmap(oriented);
        var encoded = image.Encode(format, quality);
        if (encoded is null)
        {
            refusal = Invalid();
            return null;
        }

        var thumbnail = Thumbnail(oriented);
        if (thumbnail is null)
        {
            encoded.Dispose();
            refusal = Invalid();
            return null;
        }

        return new ProcessedImage(encoded, thumbnail, type, oriented.Width, oriented.Height);
    }

    /// <summary>The size of a thumbnail that fits <see cref="ThumbnailBox"/> × <see cref="ThumbnailBox"/> (never larger than the image).</summary>
    public static (int Width, int Height) ThumbnailSize(int width, int height)
    {
        var scale = Math.Min(1.0, Math.Min((double)ThumbnailBox / width, (double)ThumbnailBox / height));
        return (Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
    }

    private static SKData? Thumbnail(SKBitmap source)
    {
        var (width, height) = ThumbnailSize(source.Width, source.Height);
        using var small = source.Resize(new SKImageInfo(width, height, source.ColorType, source.AlphaType, source.ColorSpace), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        if (small is null)
        {
            return null;
        }

        using var image = SKImage.FromBitmap(small);
        return image.Encode(SKEncodedImageFormat.Webp, ThumbnailQuality);
    }

    /// <summary>Applies the EXIF orientation: the result is upright, with width and height swapped for the rotated ones.</summary>
    private static SKBitmap Orient(SKBitmap source, SKEncodedOrigin origin)
    {
        float w = source.Width;
        float h = source.Height;
        // x' = ScaleX·x + SkewX·y + TransX, y' = SkewY·x + ScaleY·y + TransY
        SKMatrix? matrix = origin switch
        {
            SKEncodedOrigin.TopRight => new SKMatrix(-1, 0, w, 0, 1, 0, 0, 0, 1),
            SKEncodedOrigin.BottomRight => new SKMatrix(-1, 0, w, 0, -1, h, 0, 0, 1),
            SKEncodedOrigin.BottomLeft => new SKMatrix(1, 0, 0, 0, -1, h, 0, 0, 1),
            SKEncodedOrigin.LeftTop => new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1),
            SKEncodedOrigin.RightTop => new SKMatrix(0, -1, h, 1, 0, 0, 0, 0, 1),
            SKEncodedOrigin.RightBottom => new SKMatrix(0, -1, h, -1, 0, w, 0, 0, 1),
            SKEncodedOrigin.LeftBottom => new SKMatrix(0, 1, 0, -1, 0, w, 0, 0, 1),
            _ => null,
        };
        if (matrix is null)
        {
            return source.Copy();
        }

        var swap = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        var target = new SKBitmap(source.Info.WithSize(swap ? source.Height : source.Width, swap ? source.Width : source.Height));
        using var canvas = new SKCanvas(target);
        canvas.SetMatrix(matrix.Value);
        using var image = SKImage.FromBitmap(source);
        canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Nearest));
        canvas.Flush();
        return target;
    }

    private static AttachmentRefusal Invalid() => new(422, "invalid_image", "The file looks like an image but does not decode.");
}
