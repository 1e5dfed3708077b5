namespace KefuSync.Redis.Stores;

/// <summary>
/// The Lua scripts of the Redis store. Each runs atomically on the server, which is what makes "check the client op id,
/// check the head, assign the next revision, store the op" one step: no other client can interleave.
/// </summary>
/// <remarks>StackExchange.Redis caches scripts by SHA and falls back to EVAL after a server restart (NOSCRIPT).</remarks>
internal static class RedisScripts
{
    /// <summary>
    /// KEYS: ids, head, ops. ARGV: client op id, expected revision, encoded op, "1" when the caller will WAIT for replicas.
    /// Returns {status, revision}: 0 = appended, 1 = conflict (revision = head), 2 = duplicate (revision = original).
    /// The duplicate check comes first, so a resend with a stale expected revision is still recognised. Before a WAIT, a
    /// duplicate rewrites its id entry (same value): WAIT only covers this connection's own writes, and the original may
    /// have been written through a connection that is gone; the rewrite sits behind it in the replication stream, so once
    /// a replica has the rewrite it has the original too.
    /// </summary>
    public const string Append = """
        local original = redis.call('HGET', KEYS[1], ARGV[1])
        if original then
          if ARGV[4] == '1' then
            redis.call('HSET', KEYS[1], ARGV[1], original)
          end
          return {2, tonumber(original)}
        end
        local head = tonumber(redis.call('GET', KEYS[2]) or '0')
        if head ~= tonumber(ARGV[2]) then
          return {1, head}
        end
        local revision = redis.call('INCR', KEYS[2])
        redis.call('HSET', KEYS[1], ARGV[1], revision)
        redis.call('ZADD', KEYS[3], revision, ARGV[3])
        return {0, revision}
        """;

    /// <summary>KEYS: snap. ARGV: revision, state. Saves unless the stored snapshot is at the same or a newer revision.</summary>
    public const string SaveSnapshot = """
        local current = redis.call('HGET', KEYS[1], 'rev')
        if current and tonumber(current) >= tonumber(ARGV[1]) then
          return 0
        end
        redis.call('HMSET', KEYS[1], 'rev', ARGV[1], 'state', ARGV[2])
        return 1
        """;

    /// <summary>
    /// KEYS: ops, snap. ARGV: up-to revision. Removes op payloads up to min(ARGV[1], snapshot revision); the ids hash is
    /// not touched, so trimmed client op ids still dedupe. Returns the number removed.
    /// </summary>
    public const string Trim = """
        local snapshot = redis.call('HGET', KEYS[2], 'rev')
        if not snapshot then
          return 0
        end
        local limit = math.min(tonumber(ARGV[1]), tonumber(snapshot))
        if limit < 1 then
          return 0
        end
        return redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', limit))
        """;
}
