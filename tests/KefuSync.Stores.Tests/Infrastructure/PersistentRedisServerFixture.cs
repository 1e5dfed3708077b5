namespace KefuSync.Tests.Infrastructure;

/// <summary>
/// A redis-server that keeps its data across a kill and restart: append-only file, fsync on every write, in a private
/// temp directory. Fault tests use it, because an acknowledged message must survive a Redis restart.
/// </summary>
public sealed class PersistentRedisServerFixture : RedisServerFixture
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kefu-redis-").FullName;

    /// <inheritdoc />
    protected override IEnumerable<string> PersistenceArguments => ["--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", _directory];
}
