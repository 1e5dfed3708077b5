using KefuSync.Backplane;
using KefuSync.Testing;

namespace KefuSync.Stores.Tests.Providers;

/// <summary>The single-node backplane against the specification: every "node" is the same instance.</summary>
public sealed class InProcessBackplaneTests : BackplaneSpecification
{
    protected override Task<IReadOnlyList<IBackplane>> CreateNodesAsync(int count)
    {
        var backplane = new InProcessBackplane();
        return Task.FromResult<IReadOnlyList<IBackplane>>(Enumerable.Repeat<IBackplane>(backplane, count).ToArray());
    }
}
