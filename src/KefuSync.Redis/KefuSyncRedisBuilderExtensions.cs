using KefuSync.Redis;
using KefuSync.Redis.Backplane;
using KefuSync.Redis.Connection;
using KefuSync.Redis.Stores;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Redis op store and backplane on the KefuSync builder.</summary>
public static class KefuSyncRedisBuilderExtensions
{
    /// <summary>
    /// Uses Redis as the op store (with snapshots and retention) and as the backplane, over one shared connection.
    /// </summary>
    /// <param name="builder">The builder from <c>AddKefuSync</c>.</param>
    /// <param name="configuration">A StackExchange.Redis configuration string, e.g. <c>localhost:6379</c>.</param>
    public static KefuSync.IKefuSyncBuilder AddRedis(this KefuSync.IKefuSyncBuilder builder, string configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        return builder.AddRedis(options => options.Configuration = configuration);
    }

    /// <summary>
    /// Uses Redis as the op store (with snapshots and retention) and as the backplane, over one shared connection.
    /// </summary>
    /// <param name="builder">The builder from <c>AddKefuSync</c>.</param>
    /// <param name="configure">Sets <see cref="KefuSyncRedisOptions"/>; <see cref="KefuSyncRedisOptions.Configuration"/> or
    /// <see cref="KefuSyncRedisOptions.ConnectionFactory"/> is required.</param>
    public static KefuSync.IKefuSyncBuilder AddRedis(this KefuSync.IKefuSyncBuilder builder, Action<KefuSyncRedisOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        AddRedisCore(builder, configure);
        builder.UseStore<RedisOpStore>();
        builder.UseBackplane<RedisBackplane>();
        return builder;
    }

    /// <summary>
    /// Uses Redis pub/sub as the backplane only, e.g. with the Entity Framework Core store.
    /// </summary>
    /// <param name="builder">The builder from <c>AddKefuSync</c>.</param>
    /// <param name="configuration">A StackExchange.Redis configuration string, e.g. <c>localhost:6379</c>.</param>
    public static KefuSync.IKefuSyncBuilder AddRedisBackplane(this KefuSync.IKefuSyncBuilder builder, string configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        return builder.AddRedisBackplane(options => options.Configuration = configuration);
    }

    /// <summary>
    /// Uses Redis pub/sub as the backplane only, e.g. with the Entity Framework Core store.
    /// </summary>
    /// <param name="builder">The builder from <c>AddKefuSync</c>.</param>
    /// <param name="configure">Sets <see cref="KefuSyncRedisOptions"/>.</param>
    public static KefuSync.IKefuSyncBuilder AddRedisBackplane(this KefuSync.IKefuSyncBuilder builder, Action<KefuSyncRedisOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        AddRedisCore(builder, configure);
        builder.UseBackplane<RedisBackplane>();
        return builder;
    }

    private static void AddRedisCore(KefuSync.IKefuSyncBuilder builder, Action<KefuSyncRedisOptions> configure)
    {
        builder.Services.AddOptions<KefuSyncRedisOptions>().Configure(configure).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KefuSyncRedisOptions>, KefuSyncRedisOptionsValidator>());
        builder.Services.TryAddSingleton<RedisConnection>();
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton<BackplaneMetrics>();
    }
}
