using KefuSync.Tests.Infrastructure;

namespace KefuSync.Stores.Tests.Providers;

/// <summary>
/// The Redis backplane on a real Redis Cluster against the specification: sharded pub/sub partitions spread over the
/// three primaries.
/// </summary>
[Collection(RedisClusterCollection.Name)]
public sealed class RedisClusterBackplaneTests(RedisClusterFixture cluster) : RedisBackplaneTestsBase(cluster.Configuration);
