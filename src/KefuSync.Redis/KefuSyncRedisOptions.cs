using StackExchange.Redis;

namespace KefuSync.Redis;

/// <summary>
/// Options of the Redis op store and backplane. Set <see cref="Configuration"/> or <see cref="ConnectionFactory"/>;
/// everything else has a default. Validated at startup.
/// </summary>
public sealed class KefuSyncRedisOptions
{
    /// <summary>
    /// A StackExchange.Redis configuration string, e.g. <c>localhost:6379</c> or <c>redis1:6379,redis2:6379,password=...</c>.
    /// KefuSync always connects with <c>abortConnect=false</c>, and with connect and sync timeouts no longer than
    /// <see cref="OperationTimeout"/> unless the string sets them. Ignored when <see cref="ConnectionFactory"/> is set.
    /// </summary>
    public string Configuration { get; set; } = "";

    /// <summary>
    /// Prefix of every key and of the pub/sub channel KefuSync uses (default <c>kefu:</c>), so that several sites can
    /// share one Redis. It applies however the connection is made, including through <see cref="ConnectionFactory"/>.
    /// It must not contain <c>{</c> or <c>}</c>: KefuSync puts the channel name in a hash tag so that all keys of a channel
    /// live in one cluster slot.
    /// </summary>
    public string KeyPrefix { get; set; } = "kefu:";

    /// <summary>
    /// Optional: returns the host's own multiplexer instead of one built from <see cref="Configuration"/>. The argument is a
    /// writer for connection diagnostics (pass it to <c>ConnectionMultiplexer.ConnectAsync</c>; KefuSync logs what is written to it).
    /// KefuSync never disposes a multiplexer it did not create. Called once, on first use.
    /// </summary>
    public Func<TextWriter, Task<IConnectionMultiplexer>>? ConnectionFactory { get; set; }

    /// <summary>
    /// Longest time one store or backplane call may take, retries included (default 2 seconds). StackExchange.Redis 1.x
    /// async calls never time out on their own, so without this a stalled server would hang every caller.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(2);
}
