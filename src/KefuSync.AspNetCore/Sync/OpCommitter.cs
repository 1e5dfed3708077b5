using System.Diagnostics;
using KefuSync.Attachments;
using KefuSync.Conversations;
using KefuSync.Diagnostics;
using KefuSync.Ot;
using KefuSync.Protocol;
using KefuSync.Security;
using KefuSync.Stores;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KefuSync.Sync;

/// <summary>
/// Commits a submitted op: dedupe by client op id, transform (text channels) against everything committed since its
/// base, append with an expected-revision check (retrying a bounded number of times on conflict), then fan out.
/// </summary>
/// <remarks>
/// Invariants: an op is appended at most once per client op id (the store's dedupe, checked before the revision);
/// a text op is appended only after it was transformed to the head it is appended on and validated against that
/// document, so the log always replays to a valid document.
/// </remarks>
internal sealed partial class OpCommitter(
    IOpStore store,
    TextDocuments documents,
    FanOut fanOut,
    KefuObservers observers,
    InboxProjection inbox,
    AttachmentService attachments,
    KefuMetrics metrics,
    TimeProvider time,
    IOptionsMonitor<KefuSyncOptions> options,
    ILogger<OpCommitter> logger)
{
    public async ValueTask<SubmitResult> SubmitAsync(KefuPrincipal author, ChannelName channel, string clientOpId, long baseRevision, ReadOnlyMemory<byte> op, CancellationToken cancellationToken)
    {
        try
        {
            return channel.IsText
                ? await SubmitTextAsync(author, channel, clientOpId, baseRevision, op, cancellationToken).ConfigureAwait(false)
                : await SubmitMessageAsync(author, channel, clientOpId, op, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreUnavailableException ex)
        {
            // Store down, timed out, or broken: the client keeps the op in its outbox and resends (idempotent). Only store
            // calls throw this; anything else (a client's bytes, a bug) must not tell the client to send the same op again.
            Log.StoreFailed(logger, channel.Value, ex.InnerException ?? ex);
            return SubmitResult.Fail(ErrorCodes.StoreUnavailable, "The store is unavailable; send the op again later.");
        }
    }

    private async ValueTask<SubmitResult> SubmitTextAsync(KefuPrincipal author, ChannelName channel, string clientOpId, long baseRevision, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        TextOperation op;
        try
        {
            op = TextOperation.Parse(json.Span);
        }
        catch (OtException ex)
        {
            return SubmitResult.Fail(ErrorCodes.InvalidOp, ex.Message);
        }

        if (baseRevision < 0)
        {
            return SubmitResult.Fail(ErrorCodes.BadFrame, "'rev' must not be negative.");
        }

        var limits = options.CurrentValue.Limits;
        var runtime = documents.Runtime(channel.Value);
        await runtime.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var state = await documents.EnsureLoadedAsync(channel, runtime, cancellationToken).ConfigureAwait(false);
            if (state.FindRecent(clientOpId) is { } original)
            {
                return SubmitResult.Dup(original);
            }

            if (baseRevision > state.Revision)
            {
                // Another node may have committed: catch up before calling the base a future one.
                await documents.CatchUpAsync(channel, state, cancellationToken).ConfigureAwait(false);
                if (baseRevision > state.Revision)
                {
                    return await UnlessCommittedAsync(channel, clientOpId, SubmitResult.FutureBase(state.Revision, $"Base revision {baseRevision} is ahead of the head {state.Revision}."), cancellationToken).ConfigureAwait(false);
                }
            }

            // A single editor (the common case) submits on the head: nothing to transform, no list to allocate.
            if (baseRevision != state.Revision)
            {
                var concurrent = new List<TextOperation>();
                if (!state.TryGetSince(baseRevision, concurrent) && !await ReadSinceAsync(channel, baseRevision, state.Revision, concurrent, cancellationToken).ConfigureAwait(false))
                {
                    return await UnlessCommittedAsync(channel, clientOpId, SubmitResult.Fail(ErrorCodes.StaleBase, $"The ops after revision {baseRevision} were trimmed; subscribe again to get a snapshot."), cancellationToken).ConfigureAwait(false);
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
                    return await UnlessCommittedAsync(channel, clientOpId, SubmitResult.Fail(ErrorCodes.InvalidOp, ex.Message), cancellationToken).ConfigureAwait(false);
                }
            }

            try
            {

                for (var attempt = 0; ; attempt++)
                {
                    if (op.BaseLength != state.Document.Length)
                    {
                        return await UnlessCommittedAsync(channel, clientOpId, SubmitResult.Fail(ErrorCodes.InvalidOp, $"The op expects a document of {op.BaseLength} code units at revision {baseRevision}; it has {state.Document.Length} after transformation."), cancellationToken).ConfigureAwait(false);
                    }

                    if (op.TargetLength > limits.MaxDocumentChars)
                    {
                        return await UnlessCommittedAsync(channel, clientOpId, SubmitResult.Fail(ErrorCodes.InvalidOp, $"The document would exceed {limits.MaxDocumentChars} characters."), cancellationToken).ConfigureAwait(false);
                    }

                    op.ValidateAgainst(state.Document);
                    var payload = op.ToUtf8Json();
                    var now = time.GetUtcNow();
                    var result = await AppendAsync(channel, state.Revision, new OpDraft(clientOpId, author.Id, now, payload), cancellationToken).ConfigureAwait(false);
                    switch (result.Status)
                    {
                        case AppendStatus.Appended:
                        case AppendStatus.Duplicate when result.Revision == state.Revision + 1:
                            // (A Duplicate at exactly the revision we wrote is our own append, answered after a store-internal
                            // retry: it still has to be applied and broadcast. Re-broadcasting is harmless: clients dedupe by revision.)
                            state.ApplyValidated(result.Revision, op, clientOpId); // validated above, against this very document
                            await CommittedAsync(channel, result.Revision, clientOpId, author, now, payload).ConfigureAwait(false);
                            await documents.AfterCommitAsync(channel, state, cancellationToken).ConfigureAwait(false);
                            return SubmitResult.Ok(result.Revision);
                        case AppendStatus.Duplicate:
                            return SubmitResult.Dup(result.Revision);
                        default:
                            if (attempt + 1 >= limits.MaxAppendRetries)
                            {
                                return SubmitResult.Fail(ErrorCodes.Conflict, "The document kept changing; send the op again.");
                            }

                            // Another node appended: bring the document up to date and transform past its ops.
                            foreach (var committed in await documents.CatchUpAsync(channel, state, cancellationToken).ConfigureAwait(false))
                            {
                                op = TextOperation.Transform(committed, op).BPrime;
                            }

                            break;
                    }
                }
            }
            catch (OtException ex)
            {
                return await UnlessCommittedAsync(channel, clientOpId, SubmitResult.Fail(ErrorCodes.InvalidOp, ex.Message), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            runtime.Gate.Release();
        }
    }

    /// <summary>
    /// Before refusing an op for a reason that depends on the channel's state (a trimmed or future base, a document or an
    /// edit window that moved on), asks the store whether its client op id was committed already: a resend after a lost
    /// ack gets its original revision (docs/protocol.md §4.1: the id is checked first). New ops never come here, so the
    /// hot path pays nothing for it; the recent ids of the text state answer most resends before this.
    /// </summary>
    private async Task<SubmitResult> UnlessCommittedAsync(ChannelName channel, string clientOpId, SubmitResult refusal, CancellationToken cancellationToken)
    {
        long? original;
        try
        {
            original = await store.FindClientOpAsync(channel.Value, clientOpId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StoreUnavailableException.ShouldWrap(ex, cancellationToken))
        {
            throw new StoreUnavailableException(channel.Value, ex);
        }

        return original is { } revision ? SubmitResult.Dup(revision) : refusal;
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

    private async ValueTask<SubmitResult> SubmitMessageAsync(KefuPrincipal author, ChannelName channel, string clientOpId, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        var limits = options.CurrentValue.Limits;
        if (channel.Kind != ChannelKind.Conversation && author.Role != PrincipalRole.Server)
        {
            return SubmitResult.Fail(ErrorCodes.Forbidden, "Only the server writes this channel.");
        }

        if (!MessageOps.TryRead(json.Span, limits.MaxMessageChars, out var message, out var error))
        {
            return SubmitResult.Fail(ErrorCodes.InvalidOp, error);
        }

        if (message.AttachmentId is not null)
        {
            // The file must be one uploaded into this conversation (section 9); the op stores the server's metadata.
            var resolved = await ResolveAttachmentAsync(channel, clientOpId, message, cancellationToken).ConfigureAwait(false);
            if (resolved.Refusal is not null)
            {
                return resolved.Refusal.Value;
            }

            message = resolved.Message;
        }

        var runtime = documents.Runtime(channel.Value);
        await runtime.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            runtime.Head ??= await HeadAsync(channel, cancellationToken).ConfigureAwait(false);
            if (message.Kind is "status" or "assign" && author.Role == PrincipalRole.Visitor)
            {
                return SubmitResult.Fail(ErrorCodes.Forbidden, "Only agents change a conversation's status or assignee.");
            }

            if (message.Kind is "edit" or "recall" or "read")
            {
                var check = await CheckTargetAsync(author, channel, message, runtime.Head.Value, cancellationToken).ConfigureAwait(false);
                if (check is not null)
                {
                    // An edit resent after its window closed was still committed in it.
                    return await UnlessCommittedAsync(channel, clientOpId, SubmitResult.Fail(ErrorCodes.InvalidOp, check), cancellationToken).ConfigureAwait(false);
                }
            }

            var payload = MessageOps.BuildPayload(message, author);
            for (var attempt = 0; ; attempt++)
            {
                var now = time.GetUtcNow();
                var result = await AppendAsync(channel, runtime.Head.Value, new OpDraft(clientOpId, author.Id, now, payload), cancellationToken).ConfigureAwait(false);
                switch (result.Status)
                {
                    case AppendStatus.Appended:
                    case AppendStatus.Duplicate when result.Revision == runtime.Head.Value + 1:
                        // Our own append, answered Duplicate after a store-internal retry: broadcast it like any other.
                        runtime.Head = result.Revision;
                        await CommittedAsync(channel, result.Revision, clientOpId, author, now, payload).ConfigureAwait(false);
                        await UpdateInboxAsync(channel, author, result.Revision, now, message).ConfigureAwait(false);
                        if (message.Kind == "recall")
                        {
                            await DeleteRecalledAttachmentAsync(channel, message.Target).ConfigureAwait(false);
                        }

                        return SubmitResult.Ok(result.Revision);
                    case AppendStatus.Duplicate:
                        return SubmitResult.Dup(result.Revision);
                    default:
                        // Message ops commute: append at the new head.
                        runtime.Head = result.Revision;
                        if (attempt + 1 >= limits.MaxAppendRetries)
                        {
                            return SubmitResult.Fail(ErrorCodes.Conflict, "The conversation kept changing; send the message again.");
                        }

                        break;
                }
            }
        }
        finally
        {
            runtime.Gate.Release();
        }
    }

    private async Task<string?> CheckTargetAsync(KefuPrincipal author, ChannelName channel, MessageOp message, long head, CancellationToken cancellationToken)
    {
        if (message.Target > head)
        {
            return $"Revision {message.Target} does not exist yet.";
        }

        if (message.Kind == "read")
        {
            return null;
        }

        if (author.Role == PrincipalRole.Visitor)
        {
            return "Visitors cannot edit or recall messages.";
        }

        IReadOnlyList<OpRecord> target;
        try
        {
            target = await store.ReadAsync(channel.Value, message.Target - 1, 1, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StoreUnavailableException.ShouldWrap(ex, cancellationToken))
        {
            throw new StoreUnavailableException(channel.Value, ex);
        }

        if (target.Count == 0 || target[0].Revision != message.Target || MessageOps.KindOf(target[0].Payload.Span) != "msg")
        {
            return $"Revision {message.Target} is not a message.";
        }

        if (target[0].Author != author.Id)
        {
            return "Only the author may edit or recall a message.";
        }

        if (time.GetUtcNow() - target[0].Timestamp > options.CurrentValue.Conversations.EditWindow)
        {
            return "The edit window of this message has passed.";
        }

        return null;
    }

    private async Task<(MessageOp Message, SubmitResult? Refusal)> ResolveAttachmentAsync(ChannelName channel, string clientOpId, MessageOp message, CancellationToken cancellationToken)
    {
        AttachmentMetadata? attachment;
        try
        {
            attachment = channel.Kind == ChannelKind.Conversation
                ? await attachments.FindAsync(channel.Key, message.AttachmentId!, cancellationToken).ConfigureAwait(false)
                : null;
        }
        catch (StoreFailedException ex)
        {
            Log.StoreFailed(logger, channel.Value, ex.InnerException ?? ex);
            return (message, SubmitResult.Fail(ErrorCodes.StoreUnavailable, "The file store is unavailable; send the op again later."));
        }

        if (attachment is null)
        {
            // A resend of a committed message whose file was recalled since is still its ack.
            var refusal = SubmitResult.Fail(ErrorCodes.InvalidOp, $"'{message.AttachmentId}' is not a file of this conversation; upload it first (section 9).");
            return (message, await UnlessCommittedAsync(channel, clientOpId, refusal, cancellationToken).ConfigureAwait(false));
        }

        return (message with { AttachmentJson = AttachmentService.MessageJson(attachment), AttachmentName = attachment.Name }, null);
    }

    /// <summary>After a recall commits: the recalled message's file goes from the blob store (section 9.6). Best effort, logged.</summary>
    private async Task DeleteRecalledAttachmentAsync(ChannelName channel, long target)
    {
        try
        {
            var records = await store.ReadAsync(channel.Value, target - 1, 1, CancellationToken.None).ConfigureAwait(false);
            if (records.Count == 1 && MessageOps.AttachmentIdOf(records[0].Payload.Span) is { } id)
            {
                await attachments.DeleteAsync(channel.Key, id, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.RecallDeleteFailed(logger, channel.Value, target, ex);
        }
    }

    private async Task UpdateInboxAsync(ChannelName channel, KefuPrincipal author, long revision, DateTimeOffset timestamp, MessageOp message)
    {
        if (channel.Kind != ChannelKind.Conversation)
        {
            return;
        }

        // Queued, not awaited: the inbox is folded in the background (see InboxProjection.EnqueueAsync).
        await inbox.EnqueueAsync(channel.Key, author, revision, timestamp, message).ConfigureAwait(false);
    }

    private async Task<AppendResult> AppendAsync(ChannelName channel, long expected, OpDraft draft, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await store.AppendAsync(channel.Value, expected, draft, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StoreUnavailableException.ShouldWrap(ex, cancellationToken))
        {
            throw new StoreUnavailableException(channel.Value, ex);
        }
        finally
        {
            metrics.StoreDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    private async Task<long> HeadAsync(ChannelName channel, CancellationToken cancellationToken)
    {
        try
        {
            return await store.GetRevisionAsync(channel.Value, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StoreUnavailableException.ShouldWrap(ex, cancellationToken))
        {
            throw new StoreUnavailableException(channel.Value, ex);
        }
    }

    private async Task CommittedAsync(ChannelName channel, long revision, string clientOpId, KefuPrincipal author, DateTimeOffset timestamp, byte[] payload)
    {
        metrics.Ops.Add(1);
        var frame = FrameWriter.Op(channel.Value, revision, clientOpId, author.Id, timestamp.ToUnixTimeMilliseconds(), payload);
        await fanOut.PublishCommittedAsync(channel.Value, revision, frame).ConfigureAwait(false);
        if (observers.Any)
        {
            observers.Notify(new KefuCommittedOp { Channel = channel.Value, Revision = revision, ClientOpId = clientOpId, Author = author.Id, Timestamp = timestamp, Payload = payload });
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, EventName = "StoreFailed", Level = LogLevel.Warning, Message = "Committing to {Channel} failed; the client was told to retry.")]
        public static partial void StoreFailed(ILogger logger, string channel, Exception exception);

        [LoggerMessage(EventId = 1002, EventName = "RecallDeleteFailed", Level = LogLevel.Warning, Message = "The file of the message recalled at {Channel}@{Target} could not be deleted; it stays in the blob store.")]
        public static partial void RecallDeleteFailed(ILogger logger, string channel, long target, Exception exception);
    }
}
