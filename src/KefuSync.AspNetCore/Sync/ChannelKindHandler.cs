using KefuSync.Protocol;
using KefuSync.Security;
using KefuSync.Stores;

namespace KefuSync.Sync;

/// <summary>
/// The rules of one channel kind, for the commit pipeline's one append loop (<see cref="CommitPipeline"/>). The loop
/// owns dedupe, the expected-revision append, bounded retries, the ack, the broadcast and the commit notifications; a
/// handler owns what differs between kinds: reading the client's op, the rules it must pass, bringing it to the head,
/// the stored payload, and the cached state a commit changes.
/// </summary>
/// <typeparam name="TOp">The parsed op. A struct or an immutable class: it is passed by value through the loop.</typeparam>
/// <remarks>
/// Order of calls for one op: <see cref="TryRead"/> (no lock), then under the channel's gate <see cref="LoadAsync"/>,
/// <see cref="FindRecent"/>, <see cref="PrepareAsync"/>; the append; on a conflict <see cref="RebaseAsync"/> and append
/// again; once committed <see cref="Apply"/>, the broadcast and listeners, then <see cref="AfterCommitAsync"/>. Every
/// call but <see cref="TryRead"/> runs under the channel's gate, so a handler's per-channel state needs no lock of its
/// own. A store failure inside a handler is thrown as <see cref="StoreUnavailableException"/>; the loop answers it.
/// </remarks>
internal abstract class ChannelKindHandler<TOp> : IChannelKindHandler
{
    // Resolved by the pipeline at the first commit of this handler, not at construction: a listener (the inbox) may
    // itself depend on the pipeline.
    private ICommitListener<TOp>[]? _listeners;

    public abstract IReadOnlyList<ChannelKind> Kinds { get; }

    /// <summary>
    /// Whether a commit is derived from other commits (the inbox's summaries): a derived op is not counted as a committed
    /// op and not shown to <see cref="IKefuSyncObserver"/>s, which saw the ops it was derived from.
    /// </summary>
    public virtual bool IsDerived => false;

    /// <summary>The refusal when the channel kept changing through every retry.</summary>
    public virtual string ConflictMessage => "The channel kept changing; send the op again.";

    internal ICommitListener<TOp>[]? Listeners { get => Volatile.Read(ref _listeners); set => Volatile.Write(ref _listeners, value); }

    ValueTask<SubmitResult> IChannelKindHandler.SubmitAsync(CommitPipeline pipeline, KefuPrincipal author, ChannelName channel, string clientOpId, long baseRevision, ReadOnlyMemory<byte> op, bool fromClientFrame, CancellationToken cancellationToken)
        => TryRead(author, channel, baseRevision, op, out var parsed, out var refusal)
            ? pipeline.CommitAsync(this, author, channel, clientOpId, baseRevision, parsed, cancellationToken, fromClientFrame)
            : new ValueTask<SubmitResult>(refusal);

    /// <summary>
    /// Parses the wire op and checks what depends only on it and its author (no channel state, no lock). A refusal here
    /// is final: it is not checked against the store's dedupe, since the same bytes are refused the same way every time.
    /// </summary>
    public abstract bool TryRead(KefuPrincipal author, ChannelName channel, long baseRevision, ReadOnlyMemory<byte> json, out TOp op, out SubmitResult refusal);

    /// <summary>Loads (or refreshes) the channel's cached state into <paramref name="runtime"/>; returns the head this node knows.</summary>
    public abstract ValueTask<long> LoadAsync(ChannelName channel, ChannelRuntime runtime, CancellationToken cancellationToken);

    /// <summary>
    /// The op's place in its client's sequence, for the store's dedupe (IOpStore rule 3), or null (the default): its id is
    /// then remembered for as long as the op is retained. Only kinds whose ops may be trimmed and whose clients number
    /// their ops upwards return one (text channels); message ids must dedupe for as long as the message exists.
    /// </summary>
    public virtual OpSequence? SequenceOf(string clientOpId) => null;

    /// <summary>The revision of a recent commit with this client op id, from cached state (O(1)); null sends the question to the store.</summary>
    public virtual long? FindRecent(ChannelRuntime runtime, string clientOpId) => null;

    /// <summary>
    /// Brings <paramref name="op"/> from <paramref name="baseRevision"/> to <paramref name="head"/> (a text transform; nothing
    /// for ops that commute), checks the rules that depend on the channel's state, and builds the stored payload. A
    /// refusal returned here is checked against the store's dedupe first: a resend of an op committed before its base was
    /// trimmed or its edit window closed still gets its original revision (docs/protocol.md §4.1).
    /// </summary>
    public abstract ValueTask<PreparedOp<TOp>> PrepareAsync(KefuPrincipal author, ChannelName channel, ChannelRuntime runtime, long baseRevision, TOp op, long head, CancellationToken cancellationToken);

    /// <summary>Another node appended: the store's head is <paramref name="storeHead"/>. Bring the prepared op to it (as <see cref="PrepareAsync"/>).</summary>
    public abstract ValueTask<PreparedOp<TOp>> RebaseAsync(KefuPrincipal author, ChannelName channel, ChannelRuntime runtime, PreparedOp<TOp> prepared, long storeHead, CancellationToken cancellationToken);

    /// <summary>The op is committed: apply it to the cached state, before it is broadcast.</summary>
    public abstract void Apply(ChannelRuntime runtime, in CommittedOp<TOp> committed);

    /// <summary>After the broadcast and the listeners: retention work (snapshots, trimming). Failures here only delay it.</summary>
    public virtual ValueTask AfterCommitAsync(ChannelRuntime runtime, CommittedOp<TOp> committed, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
