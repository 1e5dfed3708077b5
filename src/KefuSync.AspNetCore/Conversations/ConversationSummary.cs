namespace KefuSync.Conversations;

/// <summary>
/// What the agents' inbox shows for one conversation. Each <c>inbox</c> op carries one full summary, so the inbox is a
/// fold of its log and a console never replays conversation histories to list them.
/// </summary>
internal sealed record ConversationSummary
{
    public required string Key { get; init; }

    public string Status { get; init; } = "open";

    public string? Assignee { get; init; }

    public string? VisitorId { get; init; }

    public string? VisitorName { get; init; }

    /// <summary>
    /// The tag of a server-generated <see cref="VisitorName"/> ("4ce1" of "Visitor 4ce1"), absent when a host chose the
    /// name: consoles show the generated name in their own language from it (docs/protocol.md §4.3).
    /// </summary>
    public string? VisitorGen { get; init; }

    public Dictionary<string, string>? Fields { get; init; }

    public string? LastText { get; init; }

    public string? LastRole { get; init; }

    public string? LastName { get; init; }

    public long LastRevision { get; init; }

    /// <summary>Unix ms of the last message or action.</summary>
    public long Activity { get; init; }

    /// <summary>Unix ms of the first op.</summary>
    public long Created { get; init; }

    /// <summary>Revisions of visitor messages no agent has read yet (capped at 99).</summary>
    public long[] UnreadRevisions { get; init; } = [];

    public int Unread => UnreadRevisions.Length;

    /// <summary>The highest revision an agent marked read.</summary>
    public long AgentRead { get; init; }

    /// <summary>The highest revision the visitor marked read.</summary>
    public long VisitorRead { get; init; }

    /// <summary>The visitor's email: left in the offline form (a <c>contact</c> op), or signed by the host (field <c>email</c>).</summary>
    public string? Email { get; init; }

    /// <summary>The first agent message the visitor has not read (0: none): the email follow-up waits from its time.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public long ReplyFrom { get; init; }

    /// <summary>Unix ms of <see cref="ReplyFrom"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public long ReplyAt { get; init; }

    /// <summary>The last agent message; a visitor read up to it clears <see cref="ReplyFrom"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public long ReplyTo { get; init; }

    /// <summary>Unix ms of <see cref="ReplyTo"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public long ReplyToAt { get; init; }

    /// <summary>The visitor's language from their contact op (<c>en</c> or <c>zh-CN</c>): emails are written in it.</summary>
    public string? Lang { get; init; }

    /// <summary>The visitor's rating of the conversation's last rated close (1–5; thumbs are 1 and 5), or null when never rated.</summary>
    public int? Rating { get; init; }

    /// <summary>The comment that came with <see cref="Rating"/>, if any.</summary>
    public string? RatingComment { get; init; }

    /// <summary>The revision of the visitor's latest <c>transcript</c> request (0: none): the transcript email covers the conversation up to it.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public long Transcript { get; init; }

    /// <summary>Where the transcript goes: the address of that request.</summary>
    public string? TranscriptTo { get; init; }

    /// <summary>The language of that request (<c>en</c> or <c>zh-CN</c>): the transcript is written in it.</summary>
    public string? TranscriptLang { get; init; }

    /// <summary>Unix ms of the first visitor message no agent has answered yet (0: answered): the agent notification waits from it.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public long WaitingSince { get; init; }

    /// <summary>
    /// The anonymous conversation was merged into its visitor's signed-in conversation (a <c>merged</c> op): its history lives
    /// there now, so no list shows it (docs/protocol.md §2.5); a console drops it when the summary arrives.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool Merged { get; init; }

    /// <summary>
    /// Handed over to people (a <c>handover</c> op) and no agent has it yet: true until an agent writes, someone is
    /// assigned or the conversation is closed. The console marks it as needing a person.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool Human { get; init; }
}
