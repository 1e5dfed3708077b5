using StackExchange.Redis;

namespace KefuSync.Redis.Backplane;

/// <summary>
/// The Redis pub/sub channels the backplane uses, and which of them carries a given KefuSync channel.
/// </summary>
/// <remarks>
/// <para>On one Redis server (or a primary with replicas): one classic channel, <c>{KeyPrefix}backplane</c>.</para>
/// <para>On a Redis Cluster a classic PUBLISH is broadcast over the cluster bus to every node of the cluster, so one channel
/// would make every primary and replica handle every message. Instead the backplane uses <see cref="Partitions"/> sharded
/// channels (Redis 7 <c>SPUBLISH</c>/<c>SSUBSCRIBE</c>), <c>{KeyPrefix}backplane:{p}</c>, each living on the shard that owns
/// its slot: a message touches one shard only, and the load spreads over the primaries. A KefuSync channel always maps to
/// the same partition (a stable hash of its name), so one publisher's messages on one channel keep their order.</para>
/// <para>Every node subscribes to every partition: partitioning spreads Redis's work, it does not filter what a node
/// receives (docs/benchmarks.md, "Backplane partitioning", measured why that is not needed at two or three nodes).</para>
/// </remarks>
internal sealed class BackplaneChannels
{
    /// <summary>Sharded partitions on a cluster: enough to spread over a few dozen primaries, few enough to probe cheaply.</summary>
    public const int Partitions = 16;

    private BackplaneChannels(RedisChannel[] all) => All = all;

    /// <summary>Every channel to subscribe to (one, or <see cref="Partitions"/>).</summary>
    public RedisChannel[] All { get; }

    public bool IsSharded => All[0].IsSharded;

    public static BackplaneChannels Standalone(string keyPrefix) =>
        new([new RedisChannel(keyPrefix + "backplane", RedisChannel.PatternMode.Literal)]);

    public static BackplaneChannels Cluster(string keyPrefix)
    {
        var all = new RedisChannel[Partitions];
        for (var p = 0; p < all.Length; p++)
        {
            // The braces make the partition number the hash tag, so the slot (and the shard) depends on it alone.
            all[p] = RedisChannel.Sharded($"{keyPrefix}backplane:{{{p}}}");
        }

        return new BackplaneChannels(all);
    }

    /// <summary>The Redis channel that carries <paramref name="channel"/>'s messages.</summary>
    public RedisChannel For(string channel) => All.Length == 1 ? All[0] : All[Partition(channel, All.Length)];

    /// <summary>FNV-1a over the UTF-16 code units: stable across processes and machines (string.GetHashCode is not), no allocation.</summary>
    internal static int Partition(string channel, int partitions)
    {
        var hash = 2166136261u;
        foreach (var ch in channel)
        {
            hash = (hash ^ ch) * 16777619u;
        }

        return (int)(hash % (uint)partitions);
    }
}
