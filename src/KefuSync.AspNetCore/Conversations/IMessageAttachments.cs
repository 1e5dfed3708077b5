namespace KefuSync.Conversations;

/// <summary>
/// How a <c>msg</c> with <c>att</c> finds its file (docs/protocol.md §9): implemented by the Attachments feature, which
/// sits above Conversations, so this folder names what it needs without knowing the blob store.
/// </summary>
internal interface IMessageAttachments
{
    /// <summary>
    /// The metadata object to store as <c>att</c> (§9.3) and the file's name, or null when <paramref name="attachmentId"/>
    /// is not a file of conversation <paramref name="conversationKey"/>. Throws <c>StoreUnavailableException</c> when the
    /// blob store fails.
    /// </summary>
    ValueTask<(byte[] Json, string Name)?> FindAsync(string conversationKey, string attachmentId, CancellationToken cancellationToken);
}
