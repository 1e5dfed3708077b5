namespace KefuSync.Conversations;

/// <summary>
/// The inbox's op: one conversation's queued ops, to be folded into its summary at the inbox's head. The summary is
/// filled in by <see cref="InboxHandler"/> when it folds them (and folded again after a conflict).
/// </summary>
internal readonly record struct InboxFold(string Key, List<InboxPendingOp> Ops, ConversationSummary? Summary = null);
