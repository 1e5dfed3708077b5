namespace KefuSync.Widget.Assets;

/// <summary>One embedded file, ready to serve.</summary>
internal sealed record EmbeddedAsset(byte[] Content, byte[] Gzip, string ContentType, string ETag);
