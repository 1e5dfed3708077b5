namespace KefuSync.Bots;

/// <summary>What the bot does about one op of a conversation (<see cref="BotConversation.Apply"/>).</summary>
internal enum BotStep
{
    /// <summary>Nothing.</summary>
    None,

    /// <summary>A visitor's first message in a fresh conversation: assign it to the bot, then answer it.</summary>
    Take,

    /// <summary>A visitor's message in a conversation the bot holds: answer it.</summary>
    Turn,

    /// <summary>The visitor typed one of the human keywords while the bot holds it: hand over to people.</summary>
    HumanAsked,

    /// <summary>An agent wrote while the bot holds it: the conversation is that agent's now (assigned to them).</summary>
    AgentWrote,
}
