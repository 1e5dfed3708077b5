using KefuSync.Ot;
using KefuSync.Protocol;
using KefuSync.Security;
using KefuSync.Stores;
using Microsoft.Extensions.Options;

namespace KefuSync.Sync;

/// <summary>
/// The OT text channels (<c>vdraft</c>, <c>draft</c>, <c>note</c>, <c>canned</c>; docs/protocol.md §4.1): an op is
/// transformed against everything committed since its base, validated against the document at the head, and applied
/// to the node's copy of the document after it is committed.
/// </summary>
/// <remarks>
/// Hot path (one editor typing): the op's base is the head, so no transform list is allocated and nothing is
/// transformed; the resend check is one dictionary lookup; the payload is serialized once, by a per-thread writer.
/// </remarks>
internal sealed class TextChannelHandler(IOpStore store, TextDocuments documents, IOptionsMonitor<KefuSyncOptions> options) : ChannelKindHandler<TextOperation>
{
    private static readonly ChannelKind[] TextKinds = [ChannelKind.VisitorDraft, ChannelKind.Draft, ChannelKind.Note, ChannelKind.Canned];

    public override IReadOnlyList<ChannelKind> Kinds => TextKinds;

    public override string ConflictMessage => "The document kept changing; send the op again.";

    public override bool TryRead(KefuPrincipal author, ChannelName channel, long baseRevision, ReadOnlyMemory<byte> json, out TextOperation op, out SubmitResult refusal)
    {
        refusal = default;
        try
        {
            op = TextOperation.Parse(json.Span);
            return true;
        }
        catch (OtException ex)
        {
            op = null!;
            refusal = SubmitResult.Fail(ErrorCodes.InvalidOp, ex.Message);
            return false;
        }
    }

    // The hot path (document loaded, op on the head) completes without an async state machine: the trace replay measured
    // each extra async layer per op (docs/benchmarks.md, issue 13 round 3).
    public override ValueTask<long> LoadAsync(ChannelName channel, ChannelRuntime runtime, CancellationToken cancellationToken)
        => runtime.Text is { } loaded ? new ValueTask<long>(loaded.Revision) : LoadFromStoreAsync(channel, runtime, cancellationToken);

    public override long? FindRecent(ChannelRuntime runtime, string clientOpId) => runtime.Text!.FindRecent(clientOpId);

    /// <summary>
    /// <c>{p}-{n}</c> ids are sequenced (docs/protocol.md §4.1): the OT client has one op in flight per channel, so its n
    /// only grows, and the store keeps one high-water mark per client instead of every keystroke's id. Read from the id,
    /// never from the frame's <c>c</c>: a reopened page resends a closed tab's op under that tab's id.
    /// </summary>
    public override OpSequence? SequenceOf(string clientOpId)
        => Identifiers.TryParseSequenced(clientOpId, out var client, out var number) ? new OpSequence(client, number) : null;

    public override ValueTask<PreparedOp<TextOperation>> PrepareAsync(KefuPrincipal author, ChannelName channel, ChannelRuntime runtime, long baseRevision, TextOperation op, long head, CancellationToken cancellationToken)
    {
        var state = runtime.Text!;
        return baseRevision == state.Revision
            ? new ValueTask<PreparedOp<TextOperation>>(AtHead(state, op, baseRevision))
            : PrepareBehindOrAheadAsync(channel, state, baseRevision, op, cancellationToken);
    }

    private async ValueTask<PreparedOp<TextOperation>> PrepareBehindOrAheadAsync(ChannelName channel, TextChannelState state, long baseRevision, TextOperation op, CancellationToken cancellationToken)
    {
        if (baseRevision > state.Revision)
        {
            // Another node may have committed: catch up before calling the base a future one.
            await documents.CatchUpAsync(channel, state, cancellationToken).ConfigureAwait(false);
            if (baseRevision > state.Revision)
            {
                return PreparedOp<TextOperation>.Refuse(SubmitResult.FutureBase(state.Revision, $"Base revision {baseRevision} is ahead of the head {state.Revision}."));
            }
        }

        // A single editor (the common case) submits on the head: nothing to transform, no list to allocate.
        if (baseRevision != state.Revision)
        {
            var concurrent = new List<TextOperation>();
            if (!state.TryGetSince(baseRevision, concurrent) && !await ReadSinceAsync(channel, baseRevision, state.Revision, concurrent, cancellationToken).ConfigureAwait(false))
            {
                return PreparedOp<TextOperation>.Refuse(SubmitResult.Fail(ErrorCodes.StaleBase, $"The ops after revision {baseRevision} were trimmed; subscribe again to get a snapshot."));
            }

            try
            {
                foreach (var committed in concurrent)
                {
                    // The committed op is the first operand: it wins insert ties (docs/protocol.md §4.1).
                    op = TextOperation.Transform(committed, op).BPrime;
                }
            }
            catch (OtException ex)
            {
                return PreparedOp<TextOperation>.Refuse(SubmitResult.Fail(ErrorCodes.InvalidOp, ex.Message));
            }
        }

        return AtHead(state, op, baseRevision);
    }

    public override async ValueTask<PreparedOp<TextOperation>> RebaseAsync(KefuPrincipal author, ChannelName channel, ChannelRuntime runtime, PreparedOp<TextOperation> prepared, long storeHead, CancellationToken cancellationToken)
    {
        // Another node appended: bring the document up to date and transform past its ops.
        var state = runtime.Text!;
        var baseRevision = state.Revision;
        var op = prepared.Op;
        try
        {
            foreach (var committed in await documents.CatchUpAsync(channel, state, cancellationToken).ConfigureAwait(false))
            {
                op = TextOperation.Transform(committed, op).BPrime;
            }
        }
        catch (OtException ex)
        {
            return PreparedOp<TextOperation>.Refuse(SubmitResult.Fail(ErrorCodes.InvalidOp, ex.Message));
        }

        return AtHead(state, op, baseRevision);
    }

    public override void Apply(ChannelRuntime runtime, in CommittedOp<TextOperation> committed)
        => runtime.Text!.ApplyValidated(committed.Revision, committed.Op, committed.ClientOpId); // validated in AtHead, against this very document

    public override ValueTask AfterCommitAsync(ChannelRuntime runtime, CommittedOp<TextOperation> committed, CancellationToken cancellationToken)
        => new(documents.AfterCommitAsync(committed.Channel, runtime.Text!, cancellationToken));

    private async ValueTask<long> LoadFromStoreAsync(ChannelName channel, ChannelRuntime runtime, CancellationToken cancellationToken)
        => (await documents.EnsureLoadedAsync(channel, runtime, cancellationToken).ConfigureAwait(false)).Revision;

    /// <summary>Checks an op that now applies at the head against the document and the size limit, and serializes it once.</summary>
    private PreparedOp<TextOperation> AtHead(TextChannelState state, TextOperation op, long baseRevision)
    {
        var limits = options.CurrentValue.Limits;
        if (op.BaseLength != state.Document.Length)
        {
            return PreparedOp<TextOperation>.Refuse(SubmitResult.Fail(ErrorCodes.InvalidOp, $"The op expects a document of {op.BaseLength} code units at revision {baseRevision}; it has {state.Document.Length} after transformation."));
        }

        if (op.TargetLength > limits.MaxDocumentChars)
        {
            return PreparedOp<TextOperation>.Refuse(SubmitResult.Fail(ErrorCodes.InvalidOp, $"The document would exceed {limits.MaxDocumentChars} characters."));
        }

        try
        {
            op.ValidateAgainst(state.Document);
        }
        catch (OtException ex)
        {
            return PreparedOp<TextOperation>.Refuse(SubmitResult.Fail(ErrorCodes.InvalidOp, ex.Message));
        }

        return PreparedOp<TextOperation>.Ready(op, state.Revision, op.ToUtf8Json());
    }

    private async Task<bool> ReadSinceAsync(ChannelName channel, long baseRevision, long head, List<TextOperation> into, CancellationToken cancellationToken)
    {
        var after = baseRevision;
        try
        {
            while (after < head)
            {
                var ops = await store.ReadAsync(channel.Value, after, 1000, cancellationToken).ConfigureAwait(false);
                if (ops.Count == 0 || ops[0].Revision != after + 1)
                {
                    return false;
                }

                foreach (var record in ops)
                {
                    if (record.Revision > head)
                    {
                        return true;
                    }

                    // A committed op that no longer parses is the store's fault, not the submitter's.
                    into.Add(TextOperation.Parse(record.Payload.Span, maxComponents: int.MaxValue));
                    after = record.Revision;
                }
            }
        }
        catch (Exception ex) when (StoreUnavailableException.ShouldWrap(ex, cancellationToken))
        {
            throw new StoreUnavailableException(channel.Value, ex);
        }

        return true;
    }
}
