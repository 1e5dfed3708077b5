using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KefuSync.AspNetCore.Tests.Sync;

/// <summary>The engine's services without a host: <c>AddKefuSync</c> on the in-memory store, no logging, empty configuration.</summary>
internal static class EngineServices
{
    /// <param name="configure">the options, as a host's <c>AddKefuSync(o => …)</c> sets them</param>
    /// <param name="more">registrations after <c>AddKefuSync</c> (the last registration of a service wins)</param>
    public static ServiceProvider Build(Action<KefuSyncOptions>? configure = null, Action<IServiceCollection>? more = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.ClearProviders());
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddKefuSync(configure);
        more?.Invoke(services);
        return services.BuildServiceProvider();
    }
}
