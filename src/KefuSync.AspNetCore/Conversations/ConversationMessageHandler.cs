using KefuSync.Diagnostics;
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
internal sealed class ConversationMessageHandler(IOpStore store, TimeProvider time, IOptionsMonitor<KefuSyncOptions> options, IMessageAttachments? attachments = null, KefuMetrics? metrics = null) : ChannelKindHandler<MessageOp>
{
    /// <summary>Ops read per store call when walking back for the rating check.</summary>
    private const int RatingPage = 64;

    private static readonly ChannelKind[] MessageKinds = [ChannelKind.Conversation];

    public override IReadOnlyList<ChannelKind> Kinds => MessageKinds;

    public override string ConflictMessage => "The conversation kept changing; send the message again.";

    public override bool TryRead(KefuPrincipal author, ChannelName channel, long baseRevision, ReadOnlyMemory<byte> json, out MessageOp op, out SubmitResult refusal)
    {
        refusal = default;
        var current = options.CurrentValue;
        if (!MessageOps.TryRead(json.Span, current.Limits.MaxMessageChars, out op, out var error, current.Conversations.Rating))
        {
            refusal = SubmitResult.Fail(ErrorCodes.InvalidOp, error);
            return false;
        }

        if (ConversationRules.CheckAuthorMayWrite(author, op) is { } forbidden)
        {
            refusal = SubmitResult.Fail(ErrorCodes.Forbidden, forbidden);
            return false;
        }

        if (op.Kind is "rate" or "transcript" && ConversationRules.CheckRaterOwns(author, channel.Key) is { } notOwn)
        {
            refusal = SubmitResult.Fail(ErrorCodes.Forbidden, notOwn);
            return false;
        }

        if (op.Kind == "transcript" && !current.Email.Enabled)
        {
            refusal = SubmitResult.Fail(ErrorCodes.InvalidOp, "Emails are off on this server: no transcript can be sent.");
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
        if (op.Stored is { } stored)
        {
            // Built by the server (a merge's copy of a message already committed and checked in its first conversation).
            return PreparedOp<MessageOp>.Ready(op, head, stored);
        }

        if (ConversationRules.HasTarget(op) && await CheckTargetAsync(author, channel, op, head, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            // An edit resent after its window closed was still committed in it: the pipeline asks the store first.
            return PreparedOp<MessageOp>.Refuse(SubmitResult.Fail(ErrorCodes.InvalidOp, refused));
        }

        if (op.Kind == "rate")
        {
            // Closed, and not rated since: decided by the log, not the inbox (folded later, and maybe on another node).
            var verdict = await RatingVerdictAsync(channel, 0, head, cancellationToken).ConfigureAwait(false);
            if (ConversationRules.RatingRefusal(verdict) is { } notNow)
            {
                return PreparedOp<MessageOp>.Refuse(SubmitResult.Fail(ErrorCodes.InvalidOp, notNow));
            }
        }

        if (op.Kind == "transcript")
        {
            // Closed, and fewer than MaxTranscriptsPerClose asked since: from the log, like a rating.
            var verdict = await TranscriptVerdictAsync(channel, 0, head, cancellationToken).ConfigureAwait(false);
            if (ConversationRules.TranscriptRefusal(verdict) is { } notNow)
            {
                return PreparedOp<MessageOp>.Refuse(SubmitResult.Fail(ErrorCodes.InvalidOp, notNow));
            }
        }

        if (op.AttachmentId is not null)
        {
            // The file must be one uploaded into this conversation (section 9); the op stores the server's metadata. A
            // resend of a committed message whose file was recalled since is still its ack: the pipeline asks the store.
            var found = attachments is null ? null : await attachments.FindAsync(channel.Key, op.AttachmentId, cancellationToken).ConfigureAwait(false);
            if (found is not { } file)
            {
                return PreparedOp<MessageOp>.Refuse(SubmitResult.Fail(ErrorCodes.InvalidOp, $"'{op.AttachmentId}' is not a file of this conversation; upload it first (section 9)."));
            }

            op = op with { AttachmentJson = file.Json, AttachmentName = file.Name };
        }

        return PreparedOp<MessageOp>.Ready(op, head, MessageOps.BuildPayload(op, author));
    }

    public override async ValueTask<PreparedOp<MessageOp>> RebaseAsync(KefuPrincipal author, ChannelName channel, ChannelRuntime runtime, PreparedOp<MessageOp> prepared, long storeHead, CancellationToken cancellationToken)
    {
        // Message ops commute: append at the new head, with the same payload. A rating does not: another tab's rating or a
        // reopen may have landed in between (two tabs rating at once, on two nodes), so only what came since is checked.
        runtime.Head = storeHead;
        if (prepared.Op.Kind == "rate" && prepared.Refusal is null)
        {
            var verdict = await RatingVerdictAsync(channel, prepared.Head, storeHead, cancellationToken).ConfigureAwait(false);
            if (verdict != ConversationRules.RatingVerdict.Continue && ConversationRules.RatingRefusal(verdict) is { } notNow)
            {
                return PreparedOp<MessageOp>.Refuse(SubmitResult.Fail(ErrorCodes.InvalidOp, notNow));
            }
        }

        if (prepared.Op.Kind == "transcript" && prepared.Refusal is null)
        {
            // A reopen that landed in between refuses it; the count is of what came since (the email side sends one
            // email for every request not yet covered, so a race here costs no extra email).
            var verdict = await TranscriptVerdictAsync(channel, prepared.Head, storeHead, cancellationToken).ConfigureAwait(false);
            if (verdict != ConversationRules.RatingVerdict.Continue && ConversationRules.TranscriptRefusal(verdict) is { } notNow)
            {
                return PreparedOp<MessageOp>.Refuse(SubmitResult.Fail(ErrorCodes.InvalidOp, notNow));
            }
        }

        return prepared with { Head = storeHead };
    }

    public override void Apply(ChannelRuntime runtime, in CommittedOp<MessageOp> committed) => runtime.Head = committed.Revision;

    public override ValueTask AfterCommitAsync(ChannelRuntime runtime, CommittedOp<MessageOp> committed, CancellationToken cancellationToken)
    {
        if (committed.Op.Kind == "rate")
        {
            metrics?.Ratings.Add(1, new KeyValuePair<string, object?>("score", committed.Op.Target));
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Walks the log back from <paramref name="to"/> to just after <paramref name="after"/>, newest first, until an op decides
    /// (<see cref="ConversationRules.RatingAfter"/>). Rare (one per close), and a visitor's message or a status stops it early.
    /// </summary>
    private Task<ConversationRules.RatingVerdict> RatingVerdictAsync(ChannelName channel, long after, long to, CancellationToken cancellationToken)
        => WalkBackAsync(channel, after, to, ConversationRules.RatingAfter, cancellationToken);

    /// <summary>The same walk for a <c>transcript</c> (<see cref="ConversationRules.TranscriptAfter"/>), counting the requests since the close.</summary>
    private Task<ConversationRules.RatingVerdict> TranscriptVerdictAsync(ChannelName channel, long after, long to, CancellationToken cancellationToken)
    {
        var seen = 0;
        return WalkBackAsync(channel, after, to, (kind, status, role) => ConversationRules.TranscriptAfter(kind, status, role, ref seen), cancellationToken);
    }

    private async Task<ConversationRules.RatingVerdict> WalkBackAsync(ChannelName channel, long after, long to, Func<string?, string?, string?, ConversationRules.RatingVerdict> decide, CancellationToken cancellationToken)
    {
        var end = to;
        while (end > after)
        {
            var from = Math.Max(after, end - RatingPage);
            IReadOnlyList<OpRecord> page;
            try
            {
                page = await store.ReadAsync(channel.Value, from, (int)(end - from), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (StoreUnavailableException.ShouldWrap(ex, cancellationToken))
            {
                throw new StoreUnavailableException(channel.Value, ex);
            }

            for (var i = page.Count - 1; i >= 0; i--)
            {
                var (kind, status, role) = MessageOps.KindStatusRoleOf(page[i].Payload.Span);
                var verdict = decide(kind, status, role);
                if (verdict != ConversationRules.RatingVerdict.Continue)
                {
                    return verdict;
                }
            }

            if (page.Count == 0)
            {
                break; // trimmed behind a snapshot: what is gone cannot say the conversation was closed
            }

            end = from;
        }

        return after == 0 ? ConversationRules.RatingVerdict.NotClosed : ConversationRules.RatingVerdict.Continue;
    }

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
        return ConversationRules.CheckEditOf(author, op, OpKind.Of(record.Payload.Span), record.Author, record.Timestamp, time.GetUtcNow(), options.CurrentValue.Conversations.EditWindow);
    }
}
