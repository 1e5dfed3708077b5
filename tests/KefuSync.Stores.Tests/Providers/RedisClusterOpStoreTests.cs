using KefuSync.Redis.Connection;
using KefuSync.Testing;
using KefuSync.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Stores.Tests.Providers;

/// <summary>
/// The Redis store on a real Redis Cluster (three primaries, a replica each) against the specification, acknowledging an
/// append only once a replica has it (<c>WaitForReplicas = 1</c>). The cluster refuses a script whose keys span slots
/// (CROSSSLOT), so passing here also proves every script touches the keys of one slot only.
/// </summary>
[Collection(RedisClusterCollection.Name)]
public sealed class RedisClusterOpStoreTests(RedisClusterFixture cluster) : OpStoreSpecification
{
    private ServiceProvider? _services;

    protected override async Task<IOpStore> CreateStoreAsync()
    {
        _services = TestHosts.Redis(options =>
        {
            options.Configuration = cluster.Configuration;
            options.KeyPrefix = TestHosts.UniquePrefix();
            options.WaitForReplicas = 1;
        });
        // Connected before the test, as an app is at startup: the specification is about the store, and a cold connect to
        // six nodes on a loaded machine could eat the first calls' operation budget (seen with 12 concurrent first appends).
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
