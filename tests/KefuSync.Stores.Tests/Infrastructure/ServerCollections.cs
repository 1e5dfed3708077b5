namespace KefuSync.Tests.Infrastructure;

/// <summary>Tests that share one redis-server. Each test isolates itself with its own key prefix or channel names.</summary>
[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServerFixture>
{
    /// <summary>The collection name for <c>[Collection(RedisCollection.Name)]</c>.</summary>
    public const string Name = "Redis server";
}

/// <summary>Tests that share one PostgreSQL cluster. Each test isolates itself with its own channel names or database.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>
{
    /// <summary>The collection name for <c>[Collection(PostgresCollection.Name)]</c>.</summary>
    public const string Name = "PostgreSQL server";
}

/// <summary>Tests that kill and restart a redis-server whose data must survive it (append-only file).</summary>
[CollectionDefinition(Name)]
public sealed class PersistentRedisCollection : ICollectionFixture<PersistentRedisServerFixture>
{
    /// <summary>The collection name for <c>[Collection(PersistentRedisCollection.Name)]</c>.</summary>
    public const string Name = "Persistent Redis server";
}

/// <summary>Tests that share one Redis Cluster (six processes, started once per test run). Each test isolates itself by prefix.</summary>
[CollectionDefinition(Name)]
public sealed class RedisClusterCollection : ICollectionFixture<RedisClusterFixture>
{
    /// <summary>The collection name for <c>[Collection(RedisClusterCollection.Name)]</c>.</summary>
    public const string Name = "Redis Cluster";
}
