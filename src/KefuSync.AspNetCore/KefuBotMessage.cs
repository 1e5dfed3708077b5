namespace KefuSync;

/// <summary>One chat message of a conversation, as a bot sees it.</summary>
public sealed class KefuBotMessage
{
    /// <summary>The revision the message was committed at in <c>conv:KEY</c>.</summary>
    public required long Revision { get; init; }

    /// <summary>The author's role: <c>visitor</c>, <c>agent</c> or <c>bot</c>.</summary>
    public required string Role { get; init; }

    /// <summary>The author's display name.</summary>
    public required string Name { get; init; }

    /// <summary>The plain text (empty for a file sent without a caption).</summary>
    public required string Text { get; init; }

    /// <summary>When it was committed.</summary>
    public required DateTimeOffset Timestamp { get; init; }
}
