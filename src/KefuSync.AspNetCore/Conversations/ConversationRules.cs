using KefuSync.Security;

namespace KefuSync.Conversations;

/// <summary>
/// Every rule of a conversation, in one place (docs/protocol.md §4.2 and §5.3): who may change its status and assignee,
/// who may edit or recall which message and until when, what a read marks, what reopens a closed conversation, and the
/// inbox's list filters. The message handler, the inbox fold and the <c>list</c> frame all ask here.
/// </summary>
internal static class ConversationRules
{
    /// <summary>The filters of a <c>list</c> frame (<c>f</c>); absent means <c>all</c>.</summary>
    public static readonly string[] ListFilters = ["all", "mine", "unassigned", "closed"];

    /// <summary>Status and assignee are agents' business: a visitor (or a forged frame) may not change them.</summary>
    public static string? CheckAuthorMayWrite(KefuPrincipal author, in MessageOp op) => op.Kind switch
    {
        "status" or "assign" when author.Role == PrincipalRole.Visitor => "Only agents change a conversation's status or assignee.",
        // The rating is the visitor's verdict on the agents: an agent or a bot rating it would make the score meaningless.
        "rate" when author.Role != PrincipalRole.Visitor => "Only the conversation's visitor rates it.",
        // A transcript goes to the address in the op: only the conversation's own visitor may choose where it goes.
        "transcript" when author.Role != PrincipalRole.Visitor => "Only the conversation's visitor asks for its transcript.",
        // A handover is the bot letting go, or the visitor asking for a person; an agent takes over by assigning it to
        // themselves, which the inbox shows as theirs (a handover would mark it as still waiting for a person).
        "handover" when author.Role == PrincipalRole.Agent => "Agents take a conversation over by assigning it to themselves.",
        _ => null,
    };

    /// <summary>A <c>rate</c> only in the visitor's own conversation (channel access already refuses others; this keeps the rule here too).</summary>
    public static string? CheckRaterOwns(KefuPrincipal author, string conversationKey)
        => author.ConversationKey == conversationKey ? null : "Only the conversation's visitor rates it.";

    /// <summary>What one committed op, read newest first, says about whether a <c>rate</c> may follow it.</summary>
    public enum RatingVerdict
    {
        /// <summary>Says nothing (a message of the agents, a read, a contact): look at the op before it.</summary>
        Continue,

        /// <summary>The conversation was closed and not rated since: the rating is allowed.</summary>
        Allowed,

        /// <summary>Not closed (never, or reopened since).</summary>
        NotClosed,

        /// <summary>This close was rated already: once per close, the first rating stands.</summary>
        AlreadyRated,
    }

    /// <summary>
    /// Walking the log back from the head: a <c>status</c> decides (closed allows, anything else means reopened), a
    /// visitor's <c>msg</c> reopened it, an earlier <c>rate</c> means this close was rated. A second rating is refused
    /// rather than replacing the first, so a score the agents and webhooks have seen never changes under them.
    /// </summary>
    public static RatingVerdict RatingAfter(string? kind, string? status, string? role) => kind switch
    {
        "status" => status == "closed" ? RatingVerdict.Allowed : RatingVerdict.NotClosed,
        "msg" when role == "visitor" => RatingVerdict.NotClosed,
        "rate" => RatingVerdict.AlreadyRated,
        _ => RatingVerdict.Continue,
    };

    /// <summary>Transcript requests per close (docs/protocol.md §4.2 <c>transcript</c>): a few tries at an address, not a mail relay.</summary>
    public const int MaxTranscriptsPerClose = 3;

    /// <summary>
    /// Walking the log back from the head for a <c>transcript</c>: the close decides as for a rating, and the
    /// <c>transcript</c> ops after it count; <paramref name="seen"/> is how many were met so far.
    /// </summary>
    public static RatingVerdict TranscriptAfter(string? kind, string? status, string? role, ref int seen) => kind switch
    {
        "status" => status == "closed" ? RatingVerdict.Allowed : RatingVerdict.NotClosed,
        "msg" when role == "visitor" => RatingVerdict.NotClosed,
        "transcript" when ++seen >= MaxTranscriptsPerClose => RatingVerdict.AlreadyRated,
        _ => RatingVerdict.Continue,
    };

    /// <summary>The refusal text of a transcript verdict, null when allowed.</summary>
    public static string? TranscriptRefusal(RatingVerdict verdict) => verdict switch
    {
        RatingVerdict.Allowed => null,
        RatingVerdict.AlreadyRated => $"At most {MaxTranscriptsPerClose} transcripts are sent per close.",
        _ => "A transcript is sent for a closed conversation only.",
    };

    /// <summary>The refusal text of a verdict, null when allowed.</summary>
    public static string? RatingRefusal(RatingVerdict verdict) => verdict switch
    {
        RatingVerdict.Allowed => null,
        RatingVerdict.AlreadyRated => "This conversation was rated already since it was closed.",
        _ => "Only a closed conversation can be rated.",
    };

    /// <summary>Whether <paramref name="op"/> refers to an earlier revision that must be checked (<see cref="CheckTarget"/>).</summary>
    public static bool HasTarget(in MessageOp op) => op.Kind is "edit" or "recall" or "read";

    /// <summary>Whether checking <paramref name="op"/> needs the message it targets (edit and recall do; a read only needs the revision to exist).</summary>
    public static bool NeedsTargetMessage(in MessageOp op) => op.Kind is "edit" or "recall";

    /// <summary>The checks on a target revision that need no store read; null when they pass.</summary>
    public static string? CheckTarget(KefuPrincipal author, in MessageOp op, long head)
    {
        if (op.Target > head)
        {
            return $"Revision {op.Target} does not exist yet.";
        }

        if (op.Kind != "read" && author.Role == PrincipalRole.Visitor)
        {
            return "Visitors cannot edit or recall messages.";
        }

        return null;
    }

    /// <summary>
    /// An edit or recall of the message committed at the target: only of a <c>msg</c>, only by its author, and only within
    /// <see cref="KefuConversationOptions.EditWindow"/> of when it was sent. Null when allowed.
    /// </summary>
    public static string? CheckEditOf(KefuPrincipal author, in MessageOp op, string? targetKind, string targetAuthor, DateTimeOffset targetSent, DateTimeOffset now, TimeSpan editWindow)
    {
        if (targetKind != "msg")
        {
            return $"Revision {op.Target} is not a message.";
        }

        if (targetAuthor != author.Id)
        {
            return "Only the author may edit or recall a message.";
        }

        if (now - targetSent > editWindow)
        {
            return "The edit window of this message has passed.";
        }

        return null;
    }

    /// <summary>A visitor's message reopens a closed conversation: the visitor is back, someone must answer.</summary>
    public static string StatusAfterVisitorMessage(string status) => status == "closed" ? "open" : status;

    /// <summary>Whether an assignee is a bot (<c>bot:NAME</c>): a handover or an agent taking over ends its hold.</summary>
    public static bool IsBot(string? assignee) => assignee is not null && assignee.StartsWith("bot:", StringComparison.Ordinal);

    /// <summary>Agents' side: everything a server (bot) or agent writes counts as the agents' side of the conversation.</summary>
    public static bool IsAgentSide(KefuPrincipal author) => author.Role != PrincipalRole.Visitor;

    /// <summary>A read marks every revision up to and including <c>upTo</c>; the unread list keeps only what is after it.</summary>
    public static long[] UnreadAfterRead(long[] unread, long upTo) => Array.FindAll(unread, r => r > upTo);

    /// <summary>Whether a summary belongs in the list a console asked for with <paramref name="filter"/>.</summary>
    public static bool MatchesFilter(ConversationSummary summary, string filter, string agentId) => !summary.Merged && filter switch
    {
        "mine" => summary.Assignee == agentId && summary.Status != "closed",
        "unassigned" => summary.Assignee is null && summary.Status != "closed",
        "closed" => summary.Status == "closed",
        _ => summary.Status != "closed",
    };
}
