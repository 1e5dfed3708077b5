namespace KefuSync;

/// <summary>What a bot gets for one turn (<see cref="IKefuBot.AnswerAsync"/>).</summary>
public sealed class KefuBotContext
{
    /// <summary>The conversation key (<c>conv:KEY</c>).</summary>
    public required string ConversationKey { get; init; }

    /// <summary>The visitor's new message(s) to answer, oldest first (one per turn).</summary>
    public required IReadOnlyList<KefuBotMessage> NewMessages { get; init; }

    /// <summary>
    /// The conversation's recent messages as they stand when the bot is asked, in revision order: the new ones, and the
    /// bot's own answers so far (which may come after a new message the visitor sent while the bot was answering). At
    /// most <see cref="KefuBotOptions.HistoryMessages"/>, from every author (visitor, agents, bots).
    /// </summary>
    public required IReadOnlyList<KefuBotMessage> History { get; init; }

    /// <summary>The visitor's principal id (<c>v_…</c>, or the host's signed id).</summary>
    public string? VisitorId { get; init; }

    /// <summary>The visitor's display name.</summary>
    public string? VisitorName { get; init; }

    /// <summary>
    /// The visitor's language, <c>en</c> or <c>zh-CN</c>: the language of their latest <c>contact</c> op when they left
    /// one, else <c>zh-CN</c> when the new message contains Chinese characters, else <c>en</c>.
    /// </summary>
    public required string Language { get; init; }
}
