using KefuSync.Tests.Infrastructure;

namespace KefuSync.Stores.Tests.Providers;

/// <summary>The Redis store on a real redis-server against the specification.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisOpStoreTests(RedisServerFixture server) : RedisOpStoreTestsBase(server.Configuration);
