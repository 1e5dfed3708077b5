namespace KefuSync.Conversations;

/// <summary>A validated client message op (docs/protocol.md §4.2).</summary>
/// <param name="Kind">msg, read, edit, recall, contact, rate, status, assign or handover.</param>
/// <param name="Text">The text of msg and edit; the comment of rate; the reason of handover.</param>
/// <param name="Target">The revision read up to (read) or edited/recalled (edit, recall); the score 1–5 of rate.</param>
/// <param name="Value">The new status (status) or assignee principal id, empty for nobody (assign), or the email address (contact).</param>
/// <param name="AttachmentId">The <c>att.id</c> of a msg carrying a file (docs/protocol.md §9), as the client sent it.</param>
/// <param name="AttachmentJson">The attachment's metadata object as the server stores it (§9.3), once resolved; never the client's bytes.</param>
/// <param name="AttachmentName">The attachment's file name, for the inbox preview of a message without text.</param>
/// <param name="Lang">The visitor's language of a contact op: <c>en</c> or <c>zh-CN</c> (emails are written in it).</param>
/// <param name="Stored">Server-built only (never from a client): the payload to store as it is. A merge copies an anonymous
/// conversation's messages with it (<see cref="ConversationMerge"/>); the other members describe it for the inbox.</param>
internal readonly record struct MessageOp(string Kind, string? Text, long Target, string? Value = null, string? AttachmentId = null, byte[]? AttachmentJson = null, string? AttachmentName = null, string? Lang = null, byte[]? Stored = null);
