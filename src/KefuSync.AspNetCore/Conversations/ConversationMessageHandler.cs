using KefuSync.Protocol;
using KefuSync.Security;
using KefuSync.Stores;
using KefuSync.Sync;
using Microsoft.Extensions.Options;

namespace KefuSync.Conversations;

/// <summary>
/// The <c>conv</c> channels' message ops (docs/protocol.md §4.2): read and checked against <see cref="ConversationRules"/>,
/// stored as the server builds them (<see cref="MessageOps.BuildPayload"/>, never the client's bytes). Message ops
/// commute, so a conflict only moves the op to the new head.
/// </summary>
internal sealed class ConversationMessageHandler(IOpStore store, TimeProvider time, IOptionsMonitor<KefuSyncOptions> options) : ChannelKindHandler<MessageOp>
{
    private static readonly ChannelKind[] MessageKinds = [ChannelKind.Conversation];

    public override IReadOnlyList<ChannelKind> Kinds => MessageKinds;

    public override string ConflictMessage => "The conversation kept changing; send the message again.";

    public override bool TryRead(KefuPrincipal author, ChannelName channel, long baseRevision, ReadOnlyMemory<byte> json, out MessageOp op, out SubmitResult refusal)
    {
        refusal = default;
        if (!MessageOps.TryRead(json.Span, options.CurrentValue.Limits.MaxMessageChars, out op, out var error))
        {
            refusal = SubmitResult.Fail(ErrorCodes.InvalidOp, error);
            return false;
        }

        if (ConversationRules.CheckAuthorMayWrite(author, op) is { } forbidden)
        {
            refusal = SubmitResult.Fail(ErrorCodes.Forbidden, forbidden);
            return false;
        }

        return true;
    }

    public override async ValueTask<long> LoadAsync(ChannelName channel, ChannelRuntime runtime, CancellationToken cancellationToken)
    {
        if (runtime.Head is { } head)
        {
            return head; // a hint: the expected-revision append corrects it
        }

        try
        {
            return (runtime.Head = await store.GetRevisionAsync(channel.Value, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (Exception ex) when (StoreUnavailableException.ShouldWrap(ex, cancellationToken))
        {
            throw new StoreUnavailableException(channel.Value, ex);
        }
    }

    public override async ValueTask<PreparedOp<MessageOp>> PrepareAsync(KefuPrincipal author, ChannelName channel, ChannelRuntime runtime, long baseRevision, MessageOp op, long head, CancellationToken cancellationToken)
    {
        if (ConversationRules.HasTarget(op) && await CheckTargetAsync(author, channel, op, head, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            // An edit resent after its window closed was still committed in it: the pipeline asks the store first.
            return PreparedOp<MessageOp>.Refuse(SubmitResult.Fail(ErrorCodes.InvalidOp, refused));
        }

        return PreparedOp<MessageOp>.Ready(op, head, MessageOps.BuildPayload(op, author));
    }

    public override ValueTask<PreparedOp<MessageOp>> RebaseAsync(KefuPrincipal author, ChannelName channel, ChannelRuntime runtime, PreparedOp<MessageOp> prepared, long storeHead, CancellationToken cancellationToken)
    {
        // Message ops commute: append at the new head, with the same payload.
        runtime.Head = storeHead;
        return new ValueTask<PreparedOp<MessageOp>>(prepared with { Head = storeHead });
    }

    public override void Apply(ChannelRuntime runtime, in CommittedOp<MessageOp> committed) => runtime.Head = committed.Revision;

    private async Task<string?> CheckTargetAsync(KefuPrincipal author, ChannelName channel, MessageOp op, long head, CancellationToken cancellationToken)
    {
        var refused = ConversationRules.CheckTarget(author, op, head);
        if (refused is not null || !ConversationRules.NeedsTargetMessage(op))
        {
            return refused;
        }

        IReadOnlyList<OpRecord> target;
        try
        {
            target = await store.ReadAsync(channel.Value, op.Target - 1, 1, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StoreUnavailableException.ShouldWrap(ex, cancellationToken))
        {
            throw new StoreUnavailableException(channel.Value, ex);
        }

        if (target.Count == 0 || target[0].Revision != op.Target)
        {
            return $"Revision {op.Target} is not a message.";
        }

        var record = target[0];
        return ConversationRules.CheckEditOf(author, op, MessageOps.KindOf(record.Payload.Span), record.Author, record.Timestamp, time.GetUtcNow(), options.CurrentValue.Conversations.EditWindow);
    }
}
