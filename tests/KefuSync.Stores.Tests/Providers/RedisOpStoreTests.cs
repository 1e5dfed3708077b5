using KefuSync.Testing;
using KefuSync.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Stores.Tests.Providers;

/// <summary>The Redis store on a real redis-server against the specification.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisOpStoreTests(RedisServerFixture server) : OpStoreSpecification
{
    private ServiceProvider? _services;

    protected override Task<IOpStore> CreateStoreAsync()
    {
        _services = TestHosts.Redis(options =>
        {
            options.Configuration = server.Configuration;
            options.KeyPrefix = TestHosts.UniquePrefix();
        });
        return Task.FromResult(_services.GetRequiredService<IOpStore>());
    }

    protected override async Task DisposeStoreAsync(IOpStore store)
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }
}
