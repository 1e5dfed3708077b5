using KefuSync.Tests.Infrastructure;

namespace KefuSync.Stores.Tests.Providers;

/// <summary>The Redis backplane on a real redis-server against the specification.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisBackplaneTests(RedisServerFixture server) : RedisBackplaneTestsBase(server.Configuration);
