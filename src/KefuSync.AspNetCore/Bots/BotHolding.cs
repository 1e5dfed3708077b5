namespace KefuSync.Bots;

/// <summary>Who has a conversation, as far as the bot is concerned.</summary>
internal enum BotHolding
{
    /// <summary>Nobody on the agents' side has acted yet: the bot may take it (<see cref="KefuBotTakes.NewConversations"/>).</summary>
    Fresh,

    /// <summary>Assigned to this bot: it answers the visitor's messages.</summary>
    Bot,

    /// <summary>People have it (handed over, taken over, assigned elsewhere, or an agent wrote first): the bot stays out.</summary>
    People,
}
