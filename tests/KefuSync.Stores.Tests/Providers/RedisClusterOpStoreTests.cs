using KefuSync.Tests.Infrastructure;

namespace KefuSync.Stores.Tests.Providers;

/// <summary>
/// The Redis store on a real Redis Cluster (three primaries, a replica each) against the specification, acknowledging an
/// append only once a replica has it (<c>WaitForReplicas = 1</c>). The cluster refuses a script whose keys span slots
/// (CROSSSLOT), so passing here also proves every script touches the keys of one slot only.
/// </summary>
[Collection(RedisClusterCollection.Name)]
public sealed class RedisClusterOpStoreTests(RedisClusterFixture cluster) : RedisOpStoreTestsBase(cluster.Configuration, waitForReplicas: 1);
