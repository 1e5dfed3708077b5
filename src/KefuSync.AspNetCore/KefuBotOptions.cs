namespace KefuSync;

/// <summary>The bot registered with <c>builder.AddBot&lt;TBot&gt;()</c> (docs/bots.md). Validated at startup.</summary>
public sealed class KefuBotOptions
{
    /// <summary>The bot's name: its principal id is <c>bot:NAME</c>. 1–32 of <c>[a-z0-9_-]</c>. Default <c>assistant</c>.</summary>
    public string Name { get; set; } = "assistant";

    /// <summary>The name visitors and agents see on its messages (1–64 characters). Default <c>Assistant</c>.</summary>
    public string DisplayName { get; set; } = "Assistant";

    /// <summary>Which conversations it takes. Default <see cref="KefuBotTakes.NewConversations"/>.</summary>
    public KefuBotTakes Takes { get; set; } = KefuBotTakes.NewConversations;

    /// <summary>How many recent messages <see cref="KefuBotContext.History"/> carries (1–200). Default 20.</summary>
    public int HistoryMessages { get; set; } = 20;

    /// <summary>How long one answer may take before the conversation is handed over to people. Default 20 seconds; at most a third of <see cref="LeaseDuration"/>.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a node owns the bot's work without renewing it; a node that died is taken over after it. Default 1 minute.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the inbox is looked at when no local commit announced a change. Default 1 second.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Messages that ask for a person: a visitor message that is one of them (ignoring case and surrounding spaces and
    /// punctuation) hands the conversation over without asking the bot. Default <c>human</c>, <c>person</c>,
    /// <c>agent</c>, <c>人工</c>, <c>转人工</c>, <c>人工客服</c>. Empty: only the widget's button hands over.
    /// </summary>
    public IList<string> HumanKeywords { get; set; } = ["human", "person", "agent", "人工", "转人工", "人工客服"];
}
