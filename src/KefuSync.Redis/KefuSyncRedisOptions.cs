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
    /// Longest time one store or backplane call may take, retries included (default 2 seconds). When KefuSync makes the
    /// connection it sets StackExchange.Redis's <c>AsyncTimeout</c> to 40% of this (one attempt, so a retry fits) unless
    /// <see cref="Configuration"/> sets <c>asyncTimeout</c>. With <see cref="ConnectionFactory"/>, your multiplexer's own
    /// <c>AsyncTimeout</c> bounds each attempt: keep it below this value.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Most bytes of backplane messages one node holds while its handlers catch up (default 16 MiB). A burst beyond it is
    /// dropped, counted in <c>kefusync.backplane.dropped</c>, and repaired: the node re-reads the affected channels from
    /// the store, so nothing is lost, it only arrives later.
    /// </summary>
    public int BackplaneReceiveQueueBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// Replicas that must hold an appended op before it is acknowledged (Redis <c>WAIT</c>; default 0, acknowledge once the
    /// primary has it). Set 1 on a Redis Cluster or a primary with replicas, so that a failover never loses an acknowledged
    /// message. An append whose replicas do not confirm within the attempt timeout fails retryably (the client resends it,
    /// and the resend is acknowledged once it is replicated); while no replica is up, no append is acknowledged.
    /// </summary>
    public int WaitForReplicas { get; set; }
}
