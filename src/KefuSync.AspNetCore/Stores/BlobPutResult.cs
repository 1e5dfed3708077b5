namespace KefuSync.Stores;

/// <summary>The outcome of <see cref="IBlobStore.PutAsync"/>: created now, or there already (a create-once store keeps the first).</summary>
public sealed record BlobPutResult
{
    /// <summary>True when this put stored the blob; false when the key existed and nothing was stored.</summary>
    public required bool Created { get; init; }

    /// <summary>The stored blob: this put's, or the one that was there.</summary>
    public required BlobInfo Blob { get; init; }
}
