using System.Text.Json;
using KefuSync.Conversations;
using KefuSync.Ot;
using KefuSync.Protocol;
using KefuSync.Security;
using KefuSync.Stores;
using KefuSync.Sync;

namespace KefuSync.Hosting;

/// <summary>The server-side API, running every call through the same committer as client frames.</summary>
internal sealed class KefuSyncService(CommitPipeline committer, TextDocuments documents, IOpStore store) : IKefuSyncService
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
    private static string NewClientOpId() => Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    private static ChannelName Channel(string channel)
        => ChannelName.TryParse(channel, out var name) ? name : throw new ArgumentException($"'{channel}' is not a valid channel name (docs/protocol.md §3).", nameof(channel));

    private static KefuPrincipal Principal(KefuSender sender) => new(sender.Id, sender.Name, PrincipalRole.Server, null, null);

    private static KefuSubmitResult Map(SubmitResult result) => result switch
    {
        { Committed: true, Duplicate: true } => KefuSubmitResult.DuplicateOf(result.Revision),
        { Committed: true } => KefuSubmitResult.Success(result.Revision),
        _ => KefuSubmitResult.Failure(result.ErrorCode!, result.ErrorMessage!, result.Retry),
    };
}
