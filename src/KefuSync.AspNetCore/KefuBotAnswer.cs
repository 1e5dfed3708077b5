namespace KefuSync;

/// <summary>
/// What a bot answers one turn with: messages to post (in order), and whether to hand the conversation over to people
/// afterwards. Built by the factories (<see cref="Reply"/>, <see cref="Ask"/>, <see cref="Handover"/>, <see cref="None"/>).
/// </summary>
public sealed class KefuBotAnswer
{
    private KefuBotAnswer(IReadOnlyList<string> messages, bool handsOver, string? reason)
    {
        Messages = messages;
        HandsOver = handsOver;
        HandoverReason = reason;
    }

    /// <summary>The messages to post as the bot, in order (plain text; empty ones are skipped).</summary>
    public IReadOnlyList<string> Messages { get; }

    /// <summary>Whether the bot hands the conversation over to people after its messages.</summary>
    public bool HandsOver { get; }

    /// <summary>Why, as a short note agents see (at most 200 characters), when <see cref="HandsOver"/>.</summary>
    public string? HandoverReason { get; }

    /// <summary>Posts nothing and keeps the conversation.</summary>
    public static KefuBotAnswer None { get; } = new([], false, null);

    /// <summary>Posts <paramref name="messages"/> and keeps the conversation.</summary>
    public static KefuBotAnswer Reply(params string[] messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return new([.. messages], false, null);
    }

    /// <summary>
    /// Asks the visitor a question. The widget has no quick-reply buttons: the choices are posted with the question, one
    /// per line, and the visitor answers by typing (the answer is the next turn's message).
    /// </summary>
    public static KefuBotAnswer Ask(string question, params string[] choices)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(choices);
        return new([choices.Length == 0 ? question : question + "\n" + string.Join("\n", choices.Select(c => "• " + c))], false, null);
    }

    /// <summary>Hands the conversation over to people, after posting <paramref name="message"/> if given.</summary>
    /// <param name="reason">A short note agents see (at most 200 characters).</param>
    /// <param name="message">A last message to the visitor, e.g. "Let me find a colleague for you."</param>
    public static KefuBotAnswer Handover(string? reason = null, string? message = null)
        => new(message is null ? [] : [message], true, reason);
}
