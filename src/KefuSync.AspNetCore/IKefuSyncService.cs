using KefuSync.Ot;

namespace KefuSync;

/// <summary>
/// The server-side API: host code (a bot, an AI assistant, a webhook) posts messages, edits documents and reads
/// history through the same path as clients, so everything it does is synced, deduplicated and broadcast.
/// Inject it anywhere after <c>AddKefuSync()</c>.
/// </summary>
public interface IKefuSyncService
{
    /// <summary>The conversation key of a visitor the host knows by its own id (the id passed to the tag helper).</summary>
    string ConversationKeyForHostVisitor(string hostVisitorId);

    /// <summary>Posts a chat message into a conversation as <paramref name="sender"/> (e.g. <c>bot:welcome</c>).</summary>
    /// <param name="conversationKey">The conversation key (see <see cref="ConversationKeyForHostVisitor"/>).</param>
    /// <param name="text">Plain text; clients render it as text.</param>
    /// <param name="sender">Principal id and display name of the sender.</param>
    /// <param name="clientOpId">Idempotency key: posting twice with the same key posts once. Null generates one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<KefuSubmitResult> PostMessageAsync(string conversationKey, string text, KefuSender sender, string? clientOpId = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Posts a file (a bot sending a PDF invoice) into a conversation as <paramref name="sender"/>: the file is stored with
    /// the same rules as an upload (type sniffed from the content and checked against <c>Attachments:AllowedTypes</c>,
    /// images re-encoded, <c>MaxBytes</c>; no rate limit or quota), then a <c>msg</c> carrying it is posted
    /// (docs/protocol.md §9). A refused file is a failed result with the upload's error code (<c>too_large</c>,
    /// <c>type_not_allowed</c>, …), and nothing is posted.
    /// </summary>
    /// <param name="conversationKey">The conversation key (see <see cref="ConversationKeyForHostVisitor"/>).</param>
    /// <param name="content">The file's bytes, read to the end (streamed; the caller disposes it).</param>
    /// <param name="fileName">The name shown and used for downloads (cleaned as an upload's name is).</param>
    /// <param name="sender">Principal id and display name of the sender.</param>
    /// <param name="text">An optional caption.</param>
    /// <param name="clientOpId">Idempotency key for both the file and the message: posting twice with the same key stores and posts once. Null generates one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<KefuSubmitResult> PostFileAsync(string conversationKey, Stream content, string fileName, KefuSender sender, string? text = null, string? clientOpId = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Submits <paramref name="operation"/>, made against <paramref name="baseRevision"/>, into a text channel
    /// (<c>draft:KEY</c>, <c>note:KEY</c>, <c>canned:NAME</c>). It is transformed against everything committed since,
    /// exactly like an agent's keystroke, so agents typing at the same time keep their text.
    /// </summary>
    /// <remarks>
    /// <c>clientOpId</c> is the idempotency key; null generates one. Ids given here are never sequenced, whatever their
    /// shape (docs/protocol.md §4.1): host code may submit several ops at once, and a sequenced id would make a later one
    /// drop an earlier one. An id dedupes while its op is retained.
    /// </remarks>
    Task<KefuSubmitResult> SubmitTextOperationAsync(string channel, long baseRevision, TextOperation operation, KefuSender sender, string? clientOpId = null, CancellationToken cancellationToken = default);

    /// <summary>The current text and revision of a text channel.</summary>
    Task<KefuDocument> GetDocumentAsync(string channel, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="maxCount"/> committed ops after <paramref name="afterRevision"/>, in order.</summary>
    Task<IReadOnlyList<KefuCommittedOp>> ReadAsync(string channel, long afterRevision, int maxCount = 100, CancellationToken cancellationToken = default);
}
