using KefuSync.Backplane;
using KefuSync.Testing;
using KefuSync.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Stores.Tests.Providers;

/// <summary>
/// The Redis backplane against the specification, on whatever Redis the subclass's fixture runs (one server, or a
/// cluster): each node has its own service provider and multiplexer, as separate servers would, sharing one key prefix.
/// </summary>
public abstract class RedisBackplaneTestsBase(string configuration) : BackplaneSpecification
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
                options.Configuration = configuration;
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
