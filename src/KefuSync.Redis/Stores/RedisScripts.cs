namespace KefuSync.Redis.Stores;

/// <summary>
/// The Lua scripts of the Redis store. Each runs atomically on the server, which is what makes "check the client op id,
/// check the head, assign the next revision, store the op" one step: no other client can interleave.
/// </summary>
/// <remarks>StackExchange.Redis caches scripts by SHA and falls back to EVAL after a server restart (NOSCRIPT).</remarks>
internal static class RedisScripts
{
    /// <summary>
    /// KEYS: ids, head, ops, seq. ARGV: client op id, expected revision, encoded op, "1" when the caller will WAIT for
    /// replicas, sequence client ("" for none), sequence number. Returns {status, revision}: 0 = appended, 1 = conflict
    /// (revision = head), 2 = duplicate (revision = original, or the client's mark). Dedupe comes first (IOpStore rule 3),
    /// so a resend with a stale expected revision is still recognised: the id in the ids hash, then, for a sequenced op,
    /// the client's mark in the seq hash (<c>"number:revision"</c>; the numbers have at most 9 digits, exact in Lua's
    /// doubles). A sequenced op is not put in the ids hash: only its client's mark moves. Before a WAIT, a duplicate
    /// rewrites the entry it matched (same value): WAIT only covers this connection's own writes, and the original may
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
        local sequenced = ARGV[5] ~= ''
        if sequenced then
          local mark = redis.call('HGET', KEYS[4], ARGV[5])
          if mark then
            local colon = string.find(mark, ':', 1, true)
            if tonumber(ARGV[6]) <= tonumber(string.sub(mark, 1, colon - 1)) then
              if ARGV[4] == '1' then
                redis.call('HSET', KEYS[4], ARGV[5], mark)
              end
              return {2, tonumber(string.sub(mark, colon + 1))}
            end
          end
        end
        local head = tonumber(redis.call('GET', KEYS[2]) or '0')
        if head ~= tonumber(ARGV[2]) then
          return {1, head}
        end
        local revision = redis.call('INCR', KEYS[2])
        if sequenced then
          redis.call('HSET', KEYS[4], ARGV[5], ARGV[6] .. ':' .. string.format('%d', revision))
        else
          redis.call('HSET', KEYS[1], ARGV[1], revision)
        end
        redis.call('ZADD', KEYS[3], revision, ARGV[3])
        return {0, revision}
        """;

    /// <summary>
    /// KEYS: ids, seq. ARGV: client op id, sequence client ("" for none), sequence number. The duplicate check of
    /// <see cref="Append"/> alone, writing nothing: the revision it would answer a duplicate with, or false (nil).
    /// </summary>
    public const string Find = """
        local original = redis.call('HGET', KEYS[1], ARGV[1])
        if original then
          return tonumber(original)
        end
        if ARGV[2] ~= '' then
          local mark = redis.call('HGET', KEYS[2], ARGV[2])
          if mark then
            local colon = string.find(mark, ':', 1, true)
            if tonumber(ARGV[3]) <= tonumber(string.sub(mark, 1, colon - 1)) then
              return tonumber(string.sub(mark, colon + 1))
            end
          end
        end
        return false
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
    /// KEYS: ops, snap, ids. ARGV: up-to revision. Removes the ops up to min(ARGV[1], snapshot revision) and forgets their
    /// client op ids (HDEL from the ids hash; a sequenced op's id was never there, and the seq hash of marks is not
    /// touched: IOpStore rule 3). The id is read from each member (<see cref="OpRecordCodec"/>: version byte 1, 8 + 2
    /// bytes of time, a big-endian uint16 id length at bytes 12–13, the id from byte 14). The head is a key of its own
    /// and stays. Returns the number removed.
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
        local bound = string.format('%d', limit)
        local members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', bound)
        for i = 1, #members do
          local m = members[i]
          if string.byte(m, 1) == 1 and #m >= 13 then
            local length = string.byte(m, 12) * 256 + string.byte(m, 13)
            redis.call('HDEL', KEYS[3], string.sub(m, 14, 13 + length))
          end
        end
        return redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', bound)
        """;
}
