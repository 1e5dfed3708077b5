using System.IO.Compression;
using KefuSync.Widget.Assets;

namespace KefuSync.AspNetCore.Tests.Widget;

public sealed class EmbeddedAssetsTests
{
    [Theory]
    [InlineData("kefu-widget.js", "text/javascript; charset=utf-8")]
    [InlineData("kefu-widget.css", "text/css; charset=utf-8")]
    public void TheBuiltFrontEnd_IsEmbedded_WithAStrongETag_AndCompressedCopies(string file, string contentType)
    {
        var assets = new EmbeddedAssets();
        var asset = assets.Get(file);
        Assert.NotNull(asset);
        Assert.Same(asset, assets.Get(file)); // read once
        Assert.Equal(contentType, asset.ContentType);
        Assert.Matches("^\"[0-9a-f]{24}\"$", asset.ETag);
        Assert.True(asset.Content.Length > 100);
        Assert.Equal(asset.Content, Decompress(new GZipStream(new MemoryStream(asset.Gzip), CompressionMode.Decompress)));
        Assert.Equal(asset.Content, Decompress(new BrotliStream(new MemoryStream(asset.Brotli), CompressionMode.Decompress)));
        Assert.True(asset.Brotli.Length < asset.Content.Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("nope.js")]
    [InlineData("../kefu-widget.js")]
    [InlineData("..\\kefu-widget.js")]
    [InlineData(".hidden.js")]
    [InlineData("KefuSync.Widget.dll")]
    public void AnythingElse_IsNotAnAsset(string file) => Assert.Null(new EmbeddedAssets().Get(file));

    [Fact]
    public void TheVersion_IsThePackageVersion_WithoutTheCommit()
    {
        Assert.Matches(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$", WidgetVersion.Current);
        Assert.Equal(KefuSync.Protocol.ProtocolConstants.ServerVersion, WidgetVersion.Current);
    }

    private static byte[] Decompress(Stream stream)
    {
        using (stream)
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            return buffer.ToArray();
        }
    }
}
