using StackExchange.Redis;

namespace KefuSync.Redis.Connection;

/// <summary>
/// An append reached the primary but fewer replicas than <see cref="KefuSyncRedisOptions.WaitForReplicas"/> confirmed it in
/// time. Retryable: the op is not acknowledged, and the client's resend is deduplicated by its client op id.
/// </summary>
internal sealed class RedisReplicationException(int required, long acknowledged, string endpoint)
    : RedisException($"Only {acknowledged} of the {required} required replicas of {endpoint} confirmed the append in time; it is not acknowledged and will be retried.")
{
    public int Required { get; } = required;

    public long Acknowledged { get; } = acknowledged;
}
