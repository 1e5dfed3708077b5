using KefuSync.Redis;
using KefuSync.Redis.Connection;
using KefuSync.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Stores.Tests.Providers;

/// <summary>The Redis store against the specification, on whatever Redis the subclass's fixture runs.</summary>
public abstract class RedisOpStoreTestsBase(string configuration, int waitForReplicas = 0) : OpStoreSpecification
{
    private ServiceProvider? _services;

    protected override async Task<IOpStore> CreateStoreAsync()
    {
        _services = TestHosts.Redis(options =>
        {
            options.Configuration = configuration;
            options.KeyPrefix = TestHosts.UniquePrefix();
            options.WaitForReplicas = waitForReplicas;
        });
        // Connected before the test, as an app is at startup: the specification is about the store, and a cold connect on
        // a loaded machine could eat the first calls' operation budget (seen on the cluster with 12 concurrent first appends).
        await _services.GetRequiredService<RedisConnection>().GetMultiplexerAsync(default);
        return _services.GetRequiredService<IOpStore>();
    }

    protected override async Task DisposeStoreAsync(IOpStore store)
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }
}
