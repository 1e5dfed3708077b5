using KefuSync.Redis.Connection;
using KefuSync.Testing;
using KefuSync.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Stores.Tests.Providers;

/// <summary>The Redis store on a real redis-server against the specification.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisOpStoreTests(RedisServerFixture server) : OpStoreSpecification
{
    private ServiceProvider? _services;

    protected override async Task<IOpStore> CreateStoreAsync()
    {
        _services = TestHosts.Redis(options =>
        {
            options.Configuration = server.Configuration;
            options.KeyPrefix = TestHosts.UniquePrefix();
        });
        // Connected before the test, as an app is at startup: the specification is about the store, and a cold connect to
        // the server on a loaded machine could eat the first calls' operation budget (as seen on the cluster).
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
