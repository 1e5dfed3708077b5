using KefuSync.Redis;
using KefuSync.Redis.Backplane;
using KefuSync.Redis.Connection;
using KefuSync.Redis.DataProtection;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
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

    /// <summary>
    /// Stores the ASP.NET Core Data Protection key ring in Redis, through KefuSync's own connection and under its
    /// <see cref="KefuSyncRedisOptions.KeyPrefix"/> (key <c>{KeyPrefix}dataprotection-keys</c>), so that every node
    /// shares it: a visitor token minted on one node is then accepted on every other. Call it after <c>AddRedis</c> or
    /// <c>AddRedisBackplane</c>. It replaces any other key repository (file system, database) configured for the app.
    /// </summary>
    /// <remarks>
    /// Redis then holds the keys that protect visitor tokens (and your app's cookies, if they use Data Protection):
    /// give it persistence (AOF) so a Redis restart does not invalidate every token, restrict access to it, and keep
    /// the same application name on every node (<c>SetApplicationName</c>) if their content roots differ.
    /// </remarks>
    /// <param name="builder">The builder from <c>AddKefuSync</c>, after <c>AddRedis</c> or <c>AddRedisBackplane</c>.</param>
    public static KefuSync.IKefuSyncBuilder PersistDataProtectionKeysToRedis(this KefuSync.IKefuSyncBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!builder.Services.Any(d => d.ServiceType == typeof(RedisConnection)))
        {
            throw new InvalidOperationException(
                "PersistDataProtectionKeysToRedis() uses KefuSync's Redis connection: call AddRedis(...) or AddRedisBackplane(...) before it.");
        }

        builder.Services.AddDataProtection();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<KeyManagementOptions>, RedisKeyRingSetup>());
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
