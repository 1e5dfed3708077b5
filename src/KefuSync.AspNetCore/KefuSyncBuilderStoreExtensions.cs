using KefuSync.Backplane;
using KefuSync.Stores;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of op stores and backplanes on the KefuSync builder. Provider packages build on these.</summary>
public static class KefuSyncBuilderStoreExtensions
{
    /// <summary>
    /// Uses <typeparamref name="TStore"/> as the op store (a singleton), replacing the in-memory default. If it also
    /// implements <see cref="ISnapshotStore"/>, it is used for snapshots and retention too.
    /// </summary>
    public static KefuSync.IKefuSyncBuilder UseStore<TStore>(this KefuSync.IKefuSyncBuilder builder)
        where TStore : class, IOpStore
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<IOpStore>();
        builder.Services.RemoveAll<ISnapshotStore>();
        builder.Services.TryAddSingleton<TStore>();
        builder.Services.AddSingleton<IOpStore>(sp => sp.GetRequiredService<TStore>());
        if (typeof(ISnapshotStore).IsAssignableFrom(typeof(TStore)))
        {
            builder.Services.AddSingleton(sp => (ISnapshotStore)sp.GetRequiredService<TStore>());
        }

        return builder;
    }

    /// <summary>
    /// Uses <typeparamref name="TStore"/> (a singleton) as the blob store for attachments, replacing the embedded
    /// file-system store. It must pass the KefuSync.Testing package's <c>BlobStoreSpecification</c>.
    /// </summary>
    public static KefuSync.IKefuSyncBuilder UseBlobStore<TStore>(this KefuSync.IKefuSyncBuilder builder)
        where TStore : class, IBlobStore
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<IBlobStore>();
        builder.Services.TryAddSingleton<TStore>();
        builder.Services.AddSingleton<IBlobStore>(sp => sp.GetRequiredService<TStore>());
        return builder;
    }

    /// <summary>Uses <typeparamref name="TBackplane"/> (a singleton) instead of the in-process backplane.</summary>
    public static KefuSync.IKefuSyncBuilder UseBackplane<TBackplane>(this KefuSync.IKefuSyncBuilder builder)
        where TBackplane : class, IBackplane
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<IBackplane>();
        builder.Services.TryAddSingleton<TBackplane>();
        builder.Services.AddSingleton<IBackplane>(sp => sp.GetRequiredService<TBackplane>());
        return builder;
    }
}
