using KefuSync.Backplane;
using KefuSync.Testing;
using KefuSync.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Stores.Tests.Providers;

/// <summary>
/// The Redis backplane on a real Redis Cluster against the specification: sharded pub/sub partitions spread over the
/// three primaries, each node with its own multiplexer, sharing one key prefix.
/// </summary>
[Collection(RedisClusterCollection.Name)]
public sealed class RedisClusterBackplaneTests(RedisClusterFixture cluster) : BackplaneSpecification
{
    private readonly List<ServiceProvider> _providers = [];

    protected override Task<IReadOnlyList<IBackplane>> CreateNodesAsync(int count)
    {
        var prefix = TestHosts.UniquePrefix();
        var nodes = new List<IBackplane>();
        for (var i = 0; i < count; i++)
        {
            var provider = TestHosts.Redis(options =>
            {
                options.Configuration = cluster.Configuration;
                options.KeyPrefix = prefix;
            }, backplaneOnly: true);
            _providers.Add(provider);
            nodes.Add(provider.GetRequiredService<IBackplane>());
        }

        return Task.FromResult<IReadOnlyList<IBackplane>>(nodes);
    }

    protected override async Task DisposeNodesAsync(IReadOnlyList<IBackplane> nodes)
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }
    }
}
