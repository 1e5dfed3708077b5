using System.Text;
using System.Text.Json;
using KefuSync.Attachments;
using KefuSync.Conversations;
using KefuSync.Ot;
using KefuSync.Protocol;
using KefuSync.Security;
using KefuSync.Stores;
using KefuSync.Sync;

namespace KefuSync.Hosting;

/// <summary>The server-side API, running every call through the same committer as client frames.</summary>
internal sealed class KefuSyncService(CommitPipeline committer, TextDocuments documents, IOpStore store, AttachmentService attachments) : IKefuSyncService
{
    public string ConversationKeyForHostVisitor(string hostVisitorId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hostVisitorId);
        var trimmed = hostVisitorId.Trim();
        return ConversationKeys.ForVisitor("h_" + (trimmed.Length <= 64 ? trimmed : trimmed[..64]));
    }

    public async Task<KefuSubmitResult> PostMessageAsync(string conversationKey, string text, KefuSender sender, string? clientOpId = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(conversationKey);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(sender);
        var channel = Channel("conv:" + conversationKey);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("k", "msg");
            writer.WriteString("text", text);
            writer.WriteEndObject();
        }

        return Map(await committer.SubmitAsync(Principal(sender), channel, clientOpId ?? NewClientOpId(), 0, buffer.ToArray(), cancellationToken).ConfigureAwait(false));
    }

    public async Task<KefuSubmitResult> PostFileAsync(string conversationKey, Stream content, string fileName, KefuSender sender, string? text = null, string? clientOpId = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(conversationKey);
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(sender);
        var channel = Channel("conv:" + conversationKey);
        var name = FileNames.Clean(fileName) ?? throw new ArgumentException("The file name has no printable characters.", nameof(fileName));
        var opId = clientOpId ?? NewClientOpId();
        // The upload id syntax is narrower than a client op id's: derive one, the same for the same key.
        var uploadId = AttachmentKeys.IsUploadId(opId) ? opId : Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(opId)))[..32];
        var principal = Principal(sender);
        UploadOutcome stored;
        try
        {
            stored = await attachments.StoreFromServerAsync(principal, channel.Key, uploadId, name, content, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreFailedException ex)
        {
            return KefuSubmitResult.Failure("store_unavailable", "The file store is unavailable: " + (ex.InnerException ?? ex).Message, retryable: true);
        }

        if (stored.Refusal is { } refusal)
        {
            return KefuSubmitResult.Failure(refusal.Code, refusal.Message, refusal.Retry);
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("k", "msg");
            if (!string.IsNullOrWhiteSpace(text))
            {
                writer.WriteString("text", text);
            }

            writer.WriteStartObject("att");
            writer.WriteString("id", stored.Attachment!.Id);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Map(await committer.SubmitAsync(principal, channel, opId, 0, buffer.ToArray(), cancellationToken).ConfigureAwait(false));
    }

    public async Task<KefuSubmitResult> SubmitTextOperationAsync(string channel, long baseRevision, TextOperation operation, KefuSender sender, string? clientOpId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(sender);
        var name = Channel(channel);
        if (!name.IsText)
        {
            throw new ArgumentException($"'{channel}' is not a text channel (draft:, note:, canned:, vdraft:).", nameof(channel));
        }

        return Map(await committer.SubmitAsync(Principal(sender), name, clientOpId ?? NewClientOpId(), baseRevision, operation.ToUtf8Json(), cancellationToken).ConfigureAwait(false));
    }

    public async Task<KefuDocument> GetDocumentAsync(string channel, CancellationToken cancellationToken = default)
    {
        var name = Channel(channel);
        if (!name.IsText)
        {
            throw new ArgumentException($"'{channel}' is not a text channel.", nameof(channel));
        }

        try
        {
            var (text, revision) = await documents.SnapshotAsync(name, cancellationToken).ConfigureAwait(false);
            return new KefuDocument(text, revision);
        }
        catch (StoreUnavailableException ex)
        {
            // The host sees what its store threw (StoreUnavailableException is KefuSync's own, internal marker).
            if (ex.InnerException is { } inner)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(inner).Throw();
            }

            throw new InvalidOperationException(ex.Message, ex);
        }
    }

    public async Task<IReadOnlyList<KefuCommittedOp>> ReadAsync(string channel, long afterRevision, int maxCount = 100, CancellationToken cancellationToken = default)
    {
        var name = Channel(channel);
        var ops = await store.ReadAsync(name.Value, afterRevision, maxCount, cancellationToken).ConfigureAwait(false);
        return [.. ops.Select(o => new KefuCommittedOp { Channel = name.Value, Revision = o.Revision, ClientOpId = o.ClientOpId, Author = o.Author, Timestamp = o.Timestamp, Payload = o.Payload })];
    }

    /// <summary>An unguessable client op id for a host call that brought none (128 random bits, like a connection id).</summary>
    // Random, and ending in '~' so that it is never a sequenced id (docs/protocol.md §4.1): base64url may end in "-123",
    // which on a text channel would read as number 123 of client "…" and could be taken for a duplicate.
    private static string NewClientOpId() => Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)) + "~";

    private static ChannelName Channel(string channel)
        => ChannelName.TryParse(channel, out var name) ? name : throw new ArgumentException($"'{channel}' is not a valid channel name (docs/protocol.md §3).", nameof(channel));

    private static KefuPrincipal Principal(KefuSender sender) => new(sender.Id, sender.Name, PrincipalRole.Bot, null, null);

    private static KefuSubmitResult Map(SubmitResult result) => result switch
    {
        { Committed: true, Duplicate: true } => KefuSubmitResult.DuplicateOf(result.Revision),
        { Committed: true } => KefuSubmitResult.Success(result.Revision),
        _ => KefuSubmitResult.Failure(result.ErrorCode!, result.ErrorMessage!, result.Retry),
    };
}
