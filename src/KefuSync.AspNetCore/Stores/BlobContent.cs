namespace KefuSync.Stores;

/// <summary>An open blob: its info and a stream over its bytes. Dispose it to release the stream.</summary>
public sealed class BlobContent : IAsyncDisposable, IDisposable
{
    /// <summary>Wraps an open stream; the instance owns <paramref name="content"/> from now on.</summary>
    /// <param name="info">The blob's info.</param>
    /// <param name="content">A readable stream positioned at the first byte, of exactly <see cref="BlobInfo.Length"/> bytes.</param>
    public BlobContent(BlobInfo info, Stream content)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(content);
        Info = info;
        Content = content;
    }

    /// <summary>The blob's info.</summary>
    public BlobInfo Info { get; }

    /// <summary>The bytes, read in chunks.</summary>
    public Stream Content { get; }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Content.DisposeAsync();

    /// <inheritdoc />
    public void Dispose() => Content.Dispose();
}
