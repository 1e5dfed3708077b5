using KefuSync.Protocol;
using KefuSync.Security;

namespace KefuSync.Sync;

/// <summary>
/// What the commit pipeline knows of a channel kind's handler before it knows the handler's op type: the kinds it
/// serves, and the entry that parses a submitted op. Register implementations as <see cref="IChannelKindHandler"/>
/// singletons; derive from <see cref="ChannelKindHandler{TOp}"/>, which implements this (docs/architecture.md,
/// "The commit pipeline").
/// </summary>
internal interface IChannelKindHandler
{
    /// <summary>The channel kinds this handler commits; one handler per kind (the pipeline refuses a second one at startup).</summary>
    IReadOnlyList<ChannelKind> Kinds { get; }

    /// <summary>Parses <paramref name="op"/> (the wire JSON) and commits it through <paramref name="pipeline"/>'s loop.</summary>
    ValueTask<SubmitResult> SubmitAsync(CommitPipeline pipeline, KefuPrincipal author, ChannelName channel, string clientOpId, long baseRevision, ReadOnlyMemory<byte> op, bool fromClientFrame, CancellationToken cancellationToken);
}
