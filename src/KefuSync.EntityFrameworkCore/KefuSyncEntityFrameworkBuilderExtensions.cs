using KefuSync.EntityFrameworkCore;
using KefuSync.EntityFrameworkCore.Hosting;
using KefuSync.EntityFrameworkCore.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Entity Framework Core op store on the KefuSync builder.</summary>
public static class KefuSyncEntityFrameworkBuilderExtensions
{
    /// <summary>
    /// Uses a KefuSync-owned <see cref="KefuSyncDbContext"/> (pooled) as the op store, with snapshots and retention.
    /// </summary>
    /// <param name="builder">The builder from <c>AddKefuSync</c>.</param>
    /// <param name="configureDbContext">Chooses the provider, e.g. <c>options =&gt; options.UseNpgsql(connectionString)</c>.</param>
    public static KefuSync.IKefuSyncBuilder AddEntityFrameworkStore(this KefuSync.IKefuSyncBuilder builder, Action<DbContextOptionsBuilder> configureDbContext)
        => builder.AddEntityFrameworkStore(configureDbContext, configure: null);

    /// <summary>
    /// Uses a KefuSync-owned <see cref="KefuSyncDbContext"/> (pooled) as the op store, with snapshots and retention.
    /// </summary>
    /// <param name="builder">The builder from <c>AddKefuSync</c>.</param>
    /// <param name="configureDbContext">Chooses the provider, e.g. <c>options =&gt; options.UseNpgsql(connectionString)</c>.</param>
    /// <param name="configure">Store settings, e.g. <see cref="KefuSyncEntityFrameworkOptions.CreateSchemaOnStartup"/>; may be null.</param>
    public static KefuSync.IKefuSyncBuilder AddEntityFrameworkStore(
        this KefuSync.IKefuSyncBuilder builder,
        Action<DbContextOptionsBuilder> configureDbContext,
        Action<KefuSyncEntityFrameworkOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configureDbContext);
        builder.Services.AddPooledDbContextFactory<KefuSyncDbContext>(configureDbContext);
        return builder.AddEntityFrameworkStore<KefuSyncDbContext>(configure);
    }

    /// <summary>
    /// Uses the host's own <typeparamref name="TContext"/> as the op store, with snapshots and retention. Its model must
    /// include the KefuSync tables (<c>modelBuilder.AddKefuSyncModel()</c> in <c>OnModelCreating</c>), and the host must
    /// register <c>IDbContextFactory&lt;TContext&gt;</c> (<c>AddDbContextFactory</c> or <c>AddPooledDbContextFactory</c>).
    /// </summary>
    /// <typeparam name="TContext">The host's context.</typeparam>
    /// <param name="builder">The builder from <c>AddKefuSync</c>.</param>
    public static KefuSync.IKefuSyncBuilder AddEntityFrameworkStore<TContext>(this KefuSync.IKefuSyncBuilder builder)
        where TContext : DbContext
        => builder.AddEntityFrameworkStore<TContext>(configure: null);

    /// <summary>
    /// Uses the host's own <typeparamref name="TContext"/> as the op store, with snapshots and retention. Its model must
    /// include the KefuSync tables (<c>modelBuilder.AddKefuSyncModel()</c> in <c>OnModelCreating</c>), and the host must
    /// register <c>IDbContextFactory&lt;TContext&gt;</c> (<c>AddDbContextFactory</c> or <c>AddPooledDbContextFactory</c>).
    /// </summary>
    /// <typeparam name="TContext">The host's context.</typeparam>
    /// <param name="builder">The builder from <c>AddKefuSync</c>.</param>
    /// <param name="configure">Store settings; may be null.</param>
    public static KefuSync.IKefuSyncBuilder AddEntityFrameworkStore<TContext>(
        this KefuSync.IKefuSyncBuilder builder,
        Action<KefuSyncEntityFrameworkOptions>? configure)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<KefuSyncEntityFrameworkOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        builder.Services.TryAddEnumerable(
            ServiceDescriptor.Singleton<IValidateOptions<KefuSyncEntityFrameworkOptions>, KefuSyncEntityFrameworkOptionsValidator>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SchemaInitializer<TContext>>());
        builder.UseStore<EntityFrameworkOpStore<TContext>>();
        return builder;
    }

    /// <summary>
    /// Keeps attachments in the database of the KefuSync-owned <see cref="KefuSyncDbContext"/> (tables <c>kefu_blobs</c>
    /// and <c>kefu_blob_chunks</c>), streamed in 256 KiB chunks, instead of the file-system store: every node that shares
    /// the database shares the files. Call it after <c>AddEntityFrameworkStore(options =&gt; ...)</c>.
    /// </summary>
    /// <param name="builder">The builder from <c>AddKefuSync</c>.</param>
    public static KefuSync.IKefuSyncBuilder AddEntityFrameworkBlobStore(this KefuSync.IKefuSyncBuilder builder)
        => builder.AddEntityFrameworkBlobStore<KefuSyncDbContext>();

    /// <summary>
    /// Keeps attachments in the host's own <typeparamref name="TContext"/> (its model must include
    /// <c>modelBuilder.AddKefuSyncModel()</c>, and <c>IDbContextFactory&lt;TContext&gt;</c> must be registered), streamed in
    /// 256 KiB chunks, instead of the file-system store.
    /// </summary>
    /// <typeparam name="TContext">The host's context.</typeparam>
    /// <param name="builder">The builder from <c>AddKefuSync</c>.</param>
    public static KefuSync.IKefuSyncBuilder AddEntityFrameworkBlobStore<TContext>(this KefuSync.IKefuSyncBuilder builder)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<KefuSyncEntityFrameworkOptions>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.UseBlobStore<EntityFrameworkBlobStore<TContext>>();
        return builder;
    }
}
