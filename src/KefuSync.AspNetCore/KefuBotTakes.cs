namespace KefuSync;

/// <summary>Which conversations a bot takes (<see cref="KefuBotOptions.Takes"/>).</summary>
public enum KefuBotTakes
{
    /// <summary>
    /// Every new conversation: at the visitor's first message, if no agent wrote in it or has it assigned, the bot assigns
    /// it to itself. Also those an agent assigns to the bot.
    /// </summary>
    NewConversations,

    /// <summary>Only conversations an agent (or host code) assigns to the bot (<c>assign</c> to <c>bot:NAME</c>).</summary>
    AssignedOnly,
}
