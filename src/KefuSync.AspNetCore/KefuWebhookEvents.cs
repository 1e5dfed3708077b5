namespace KefuSync;

/// <summary>The event types of webhooks (the <c>type</c> member of the payload; docs/webhooks.md §3).</summary>
public static class KefuWebhookEvents
{
    /// <summary>A conversation's first op was committed.</summary>
    public const string ConversationCreated = "conversation.created";

    /// <summary>A chat message from a visitor, an agent or a bot (<c>msg</c>).</summary>
    public const string MessageCreated = "message.created";

    /// <summary>An agent edited a message (<c>edit</c>).</summary>
    public const string MessageEdited = "message.edited";

    /// <summary>An agent recalled a message (<c>recall</c>).</summary>
    public const string MessageRecalled = "message.recalled";

    /// <summary>The conversation's status changed (<c>status</c>).</summary>
    public const string ConversationStatusChanged = "conversation.status_changed";

    /// <summary>The conversation was assigned or unassigned (<c>assign</c>).</summary>
    public const string ConversationAssigned = "conversation.assigned";

    /// <summary>The visitor left an email address (<c>contact</c>).</summary>
    public const string VisitorIdentified = "visitor.identified";

    /// <summary>The visitor rated the closed conversation (<c>rate</c>): <c>score</c> 1–5 and an optional <c>comment</c>.</summary>
    public const string ConversationRated = "conversation.rated";

    /// <summary>A bot handed the conversation over to people, or the visitor asked for a person (<c>handover</c>): an optional <c>reason</c>.</summary>
    public const string ConversationHandedOver = "conversation.handed_over";

    /// <summary>Every type above.</summary>
    public static IReadOnlyList<string> All { get; } = [ConversationCreated, MessageCreated, MessageEdited, MessageRecalled, ConversationStatusChanged, ConversationAssigned, VisitorIdentified, ConversationRated, ConversationHandedOver];
}
