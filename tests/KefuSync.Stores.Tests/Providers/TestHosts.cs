using KefuSync.EntityFrameworkCore;
using KefuSync.Hosting;
using KefuSync.Redis;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KefuSync.Stores.Tests.Providers;

/// <summary>Builds service providers the way a host would, through the public registration extensions.</summary>
internal static class TestHosts
{
    public static async Task<ServiceProvider> EntityFrameworkAsync(
        Action<DbContextOptionsBuilder> configureDbContext, Action<KefuSyncEntityFrameworkOptions>? configure = null, ILoggerProvider? logs = null, bool blobs = false)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            if (logs is not null)
            {
                logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs);
            }
        });
        var builder = new KefuSyncBuilder(services).AddEntityFrameworkStore(configureDbContext, options =>
        {
            options.CreateSchemaOnStartup = true;
            configure?.Invoke(options);
        });
        if (blobs)
        {
            builder.AddEntityFrameworkBlobStore();
        }
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        await StartHostedServicesAsync(provider);
        return provider;
    }

    public static ServiceProvider Redis(Action<KefuSyncRedisOptions> configure, bool backplaneOnly = false)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var builder = new KefuSyncBuilder(services);
        if (backplaneOnly)
        {
            builder.AddRedisBackplane(configure);
        }
        else
        {
            builder.AddRedis(configure);
        }

        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    /// <summary>A unique key prefix, so tests sharing one redis-server never see each other's keys or messages.</summary>
    public static string UniquePrefix() => $"t{Guid.NewGuid():N}:";

    public static async Task StartHostedServicesAsync(IServiceProvider provider)
    {
        foreach (var service in provider.GetServices<IHostedService>())
        {
            await service.StartAsync(CancellationToken.None);
        }
    }
}
