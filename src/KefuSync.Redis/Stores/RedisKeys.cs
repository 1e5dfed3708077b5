using StackExchange.Redis;

namespace KefuSync.Redis.Stores;

/// <summary>
/// The keys of one channel. The channel name sits in a hash tag (<c>{...}</c>) so that all of them land in the same
/// cluster slot, which a Lua script touching several keys requires (see <see cref="HashTag"/> for names with braces).
/// </summary>
/// <remarks>
/// Layout for prefix <c>kefu:</c> and channel <c>c1</c>:
/// <list type="table">
/// <item><term><c>kefu:{c1}:head</c></term><description>string: the head revision (INCR).</description></item>
/// <item><term><c>kefu:{c1}:ids</c></term><description>hash: client op id → revision, for ops without a sequence; a trim
/// deletes the ids of the ops it removes.</description></item>
/// <item><term><c>kefu:{c1}:seq</c></term><description>hash: sequence client → <c>"number:revision"</c>, its high-water mark
/// (IOpStore rule 3). Never trimmed: one field per client of a text channel.</description></item>
/// <item><term><c>kefu:{c1}:ops</c></term><description>sorted set: score = revision, member = encoded op (<see cref="OpRecordCodec"/>).
/// Range reads by score are O(log n + k); trimming is ZREMRANGEBYSCORE.</description></item>
/// <item><term><c>kefu:{c1}:snap</c></term><description>hash: <c>rev</c> and <c>state</c> of the newest snapshot.</description></item>
/// </list>
/// </remarks>
internal readonly struct RedisKeys
{
    public RedisKeys(string prefix, string channel)
    {
        var root = string.Concat(prefix, "{", HashTag(channel), "}:");
        Head = root + "head";
        ClientOps = root + "ids";
        Ops = root + "ops";
        Snapshot = root + "snap";
        Sequences = root + "seq";
    }

    public RedisKey Head { get; }

    public RedisKey ClientOps { get; }

    public RedisKey Ops { get; }

    public RedisKey Snapshot { get; }

    public RedisKey Sequences { get; }

    /// <summary>
    /// The channel name as it goes between the braces. Redis takes the hash tag up to the first <c>}</c>, and hashes the
    /// whole key when the tag is empty, so a channel with a brace (KefuSync's own never have one, a third-party caller's
    /// might) could spread its keys over several slots and break the scripts on a cluster. Such names, and names starting
    /// with <c>~</c>, become <c>~</c> and their UTF-8 bytes in hex: no brace, never empty, and no plain name collides with one.
    /// </summary>
    internal static string HashTag(string channel)
    {
        if (channel.AsSpan().IndexOfAny('{', '}') < 0 && !channel.StartsWith('~'))
        {
            return channel;
        }

        return "~" + Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes(channel));
    }
}
