namespace KefuSync.Widget.Assets;

/// <summary>One embedded file, ready to serve: its bytes, pre-compressed copies (gzip, Brotli), content type and strong ETag.</summary>
internal sealed record EmbeddedAsset(byte[] Content, byte[] Gzip, byte[] Brotli, string ContentType, string ETag);
