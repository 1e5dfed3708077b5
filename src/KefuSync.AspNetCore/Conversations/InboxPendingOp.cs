using KefuSync.Security;

namespace KefuSync.Conversations;

/// <summary>A committed conversation op waiting to be folded into the inbox.</summary>
internal readonly record struct InboxPendingOp(string Key, KefuPrincipal Author, long Revision, long Timestamp, MessageOp Op);
