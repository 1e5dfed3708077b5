using KefuSync.Redis.Connection;
using KefuSync.Stores;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace KefuSync.Redis.Stores;

/// <summary>
/// The Redis op store. Append, revision assignment and dedupe happen in one Lua script (<see cref="RedisScripts.Append"/>);
/// reads are sorted-set range queries by score. Key layout: <see cref="RedisKeys"/>.
/// </summary>
/// <remarks>
/// <para>Every call goes through <see cref="RedisConnection.Idempotent"/> (timeout, retry with jitter, circuit breaker). Retrying
/// an append is safe: if the first attempt did commit and only its reply was lost (a timeout, a dropped connection),
/// the retry finds the client op id in the ids hash (a sequenced op: its client's mark in the seq hash) and returns
/// <see cref="AppendStatus.Duplicate"/> with the revision the first attempt got, which the caller treats as an ack. Nothing is ever written twice.
/// </para>
/// <para>With <see cref="KefuSyncRedisOptions.WaitForReplicas"/> set, an append (or a duplicate: its original may not be
/// replicated yet) is acknowledged only after Redis <c>WAIT</c> confirms that many replicas hold it. <c>WAIT</c> must run on
/// the connection that wrote, after the write (it covers every earlier write of that connection), and cannot run inside a
/// script; StackExchange.Redis keeps one interactive connection per server, so it goes to the server that owns the
/// channel's slot. A replica that does not confirm within the attempt timeout fails the append retryably: the op may be on
/// the primary only, and the client's resend, deduplicated by its client op id, is acknowledged once it is replicated.</para>
/// </remarks>
internal sealed class RedisOpStore(RedisConnection connection, IOptions<KefuSyncRedisOptions> options) : IOpStore, ISnapshotStore
{
    private static readonly RedisValue SnapshotRevisionField = "rev";
    private static readonly RedisValue SnapshotStateField = "state";
    private static readonly RedisValue[] SnapshotFields = [SnapshotRevisionField, SnapshotStateField];
    private readonly int _waitForReplicas = options.Value.WaitForReplicas;

    public async Task<AppendResult> AppendAsync(string channel, long expectedRevision, OpDraft op, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        ArgumentNullException.ThrowIfNull(op);
        var keys = new RedisKeys(connection.KeyPrefix, channel);
        // Encoded once, outside the pipeline: retries resend the same bytes (the encoding copies the caller's payload).
        RedisKey[] scriptKeys = [keys.ClientOps, keys.Head, keys.Ops, keys.Sequences];
        RedisValue[] scriptArgs = [op.ClientOpId, expectedRevision, OpRecordCodec.Encode(op), _waitForReplicas > 0 ? 1 : 0, op.Sequence?.Client ?? "", op.Sequence?.Number ?? 0];

        var result = await connection.ExecuteAsync(
            connection.Idempotent,
            async m =>
            {
                var database = m.GetDatabase();
                var reply = await database.ScriptEvaluateAsync(RedisScripts.Append, scriptKeys, scriptArgs).ConfigureAwait(false);
                if (_waitForReplicas > 0 && (long)((RedisResult[])reply!)[0] != 1)
                {
                    await WaitForReplicasAsync(m, database, keys.Head).ConfigureAwait(false);
                }

                return reply;
            },
            cancellationToken).ConfigureAwait(false);

        var values = (RedisResult[])result!;
        var revision = (long)values[1];
        return (long)values[0] switch
        {
            0 => AppendResult.Appended(revision),
            1 => AppendResult.Conflict(revision),
            2 => AppendResult.Duplicate(revision),
            var status => throw new InvalidOperationException($"The append script returned an unknown status {status}."),
        };
    }

    private async Task WaitForReplicasAsync(IConnectionMultiplexer multiplexer, IDatabase database, RedisKey key)
    {
        var endpoint = await database.IdentifyEndpointAsync(key).ConfigureAwait(false)
            ?? throw new RedisConnectionException(ConnectionFailureType.UnableToResolvePhysicalConnection, CommandFlags.None, $"No Redis server owns '{key}' right now; the append is retried.", null, CommandStatus.Unknown);
        var timeoutMs = Math.Max(1, (long)connection.AttemptTimeout.TotalMilliseconds / 2);
        var acknowledged = (long)await multiplexer.GetServer(endpoint).ExecuteAsync("WAIT", _waitForReplicas, timeoutMs).ConfigureAwait(false);
        if (acknowledged < _waitForReplicas)
        {
            throw new RedisReplicationException(_waitForReplicas, acknowledged, endpoint.ToString() ?? "?");
        }
    }

    public async Task<long> GetRevisionAsync(string channel, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        var key = new RedisKeys(connection.KeyPrefix, channel).Head;
        var value = await connection.ExecuteAsync(connection.Idempotent, m => m.GetDatabase().StringGetAsync(key), cancellationToken).ConfigureAwait(false);
        return value.IsNull ? 0 : (long)value;
    }

    public async Task<long?> FindClientOpAsync(string channel, string clientOpId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        ArgumentNullException.ThrowIfNull(clientOpId);
        var key = new RedisKeys(connection.KeyPrefix, channel).ClientOps;
        // HGET on the ids hash the append script dedupes with: O(1).
        var value = await connection.ExecuteAsync(connection.Idempotent, m => m.GetDatabase().HashGetAsync(key, clientOpId), cancellationToken).ConfigureAwait(false);
        return value.IsNull ? null : (long)value;
    }

    public async Task<long?> FindDuplicateAsync(string channel, string clientOpId, OpSequence? sequence, CancellationToken cancellationToken = default)
    {
        if (sequence is not { } s)
        {
            return await FindClientOpAsync(channel, clientOpId, cancellationToken).ConfigureAwait(false);
        }

        ArgumentException.ThrowIfNullOrEmpty(channel);
        ArgumentNullException.ThrowIfNull(clientOpId);
        var channelKeys = new RedisKeys(connection.KeyPrefix, channel);
        RedisKey[] keys = [channelKeys.ClientOps, channelKeys.Sequences];
        RedisValue[] args = [clientOpId, s.Client, s.Number];
        // The append script's duplicate check alone, in one script (both hashes share the channel's hash tag).
        var result = await connection.ExecuteAsync(
            connection.Idempotent,
            m => m.GetDatabase().ScriptEvaluateAsync(RedisScripts.Find, keys, args),
            cancellationToken).ConfigureAwait(false);
        return result.IsNull ? null : (long)result;
    }

    public Task<IReadOnlyList<OpRecord>> ReadAsync(string channel, long afterRevision, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        var key = new RedisKeys(connection.KeyPrefix, channel).Ops;
        // ZRANGEBYSCORE key (after +inf LIMIT 0 maxCount: O(log n + k).
        return RangeAsync(key, afterRevision, double.PositiveInfinity, Exclude.Start, Order.Ascending, maxCount, cancellationToken);
    }

    public Task<IReadOnlyList<OpRecord>> ReadBeforeAsync(string channel, long beforeRevision, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        var key = new RedisKeys(connection.KeyPrefix, channel).Ops;
        // ZREVRANGEBYSCORE key (before -inf LIMIT 0 maxCount: the newest k below the bound, reversed afterwards.
        return RangeAsync(key, beforeRevision, double.NegativeInfinity, Exclude.Start, Order.Descending, maxCount, cancellationToken);
    }

    private async Task<IReadOnlyList<OpRecord>> RangeAsync(
        RedisKey key, double from, double to, Exclude exclude, Order order, int maxCount, CancellationToken cancellationToken)
    {
        if (maxCount <= 0)
        {
            return [];
        }

        var entries = await connection.ExecuteAsync(
            connection.Idempotent,
            m => m.GetDatabase().SortedSetRangeByScoreWithScoresAsync(key, from, to, exclude, order, 0, maxCount),
            cancellationToken).ConfigureAwait(false);

        var records = new OpRecord[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            var index = order == Order.Ascending ? i : entries.Length - 1 - i;
            records[index] = OpRecordCodec.Decode((long)entries[i].Score, (byte[])entries[i].Element!);
        }

        return records;
    }

    public async Task SaveSnapshotAsync(string channel, Snapshot snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        ArgumentNullException.ThrowIfNull(snapshot);
        RedisKey[] keys = [new RedisKeys(connection.KeyPrefix, channel).Snapshot];
        RedisValue[] args = [snapshot.Revision, snapshot.State.ToArray()];
        await connection.ExecuteAsync(
            connection.Idempotent,
            m => m.GetDatabase().ScriptEvaluateAsync(RedisScripts.SaveSnapshot, keys, args),
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<Snapshot?> GetSnapshotAsync(string channel, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        var key = new RedisKeys(connection.KeyPrefix, channel).Snapshot;
        var values = await connection.ExecuteAsync(connection.Idempotent, m => m.GetDatabase().HashGetAsync(key, SnapshotFields), cancellationToken)
            .ConfigureAwait(false);
        if (values.Length != 2 || values[0].IsNull)
        {
            return null;
        }

        return new Snapshot((long)values[0], (byte[])values[1]! ?? []);
    }

    public async Task<long> TrimAsync(string channel, long upToRevision, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        var channelKeys = new RedisKeys(connection.KeyPrefix, channel);
        RedisKey[] keys = [channelKeys.Ops, channelKeys.Snapshot, channelKeys.ClientOps];
        RedisValue[] args = [upToRevision];
        var result = await connection.ExecuteAsync(
            connection.Idempotent,
            m => m.GetDatabase().ScriptEvaluateAsync(RedisScripts.Trim, keys, args),
            cancellationToken).ConfigureAwait(false);
        return (long)result;
    }
}
