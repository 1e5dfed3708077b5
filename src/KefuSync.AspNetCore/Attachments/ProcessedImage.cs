using SkiaSharp;

namespace KefuSync.Attachments;

/// <summary>A re-encoded image and its thumbnail, in native memory until disposed.</summary>
internal sealed class ProcessedImage(SKData image, SKData thumbnail, string type, int width, int height) : IDisposable
{
    public SKData Image { get; } = image;

    public SKData Thumbnail { get; } = thumbnail;

    /// <summary>The stored type: the upload's, except GIF, which becomes PNG.</summary>
    public string Type { get; } = type;

    public int Width { get; } = width;

    public int Height { get; } = height;

    public void Dispose()
    {
        Image.Dispose();
        Thumbnail.Dispose();
    }
}
