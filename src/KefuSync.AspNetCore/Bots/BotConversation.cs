namespace KefuSync.Bots;

/// <summary>
/// One conversation as the bot sees it: who holds it and its recent messages, folded from <c>conv:KEY</c> in order. Pure
/// (no I/O), so a node that takes over rebuilds the same state from the log (conversation logs are never trimmed), and
/// the rules are tested without a server.
/// </summary>
/// <remarks>
/// Rules (docs/bots.md): a visitor's message in a fresh conversation is taken (when the bot takes new ones) unless it asks
/// for a human; an <c>assign</c> to the bot gives it the conversation, any other <c>assign</c> or a <c>handover</c>
/// takes it from the bot for good; an agent's message while the bot holds it makes it that agent's, and an agent's
/// message or assignment while it is fresh means people have it.
/// </remarks>
internal sealed class BotConversation(string botId, int historyCap)
{
    private readonly SortedList<long, KefuBotMessage> _recent = [];

    public BotHolding Holding { get; private set; } = BotHolding.Fresh;

    public string? VisitorId { get; private set; }

    public string? VisitorName { get; private set; }

    /// <summary>The language of the visitor's latest <c>contact</c> op, if any.</summary>
    public string? Lang { get; private set; }

    /// <summary>The recent messages, oldest first (at most the history cap).</summary>
    public IReadOnlyList<KefuBotMessage> Recent => [.. _recent.Values];

    /// <summary>Folds <paramref name="op"/> and says what the bot should do about it.</summary>
    public BotStep Apply(in BotOp op, bool takesNew, IReadOnlyCollection<string> humanKeywords)
    {
        switch (op.Kind)
        {
            case "msg":
                Remember(op);
                if (op.Role == "visitor")
                {
                    (VisitorId, VisitorName) = (op.Author, op.Name);
                    var asksHuman = IsHumanKeyword(op.Text, humanKeywords);
                    if (Holding == BotHolding.Bot)
                    {
                        if (asksHuman)
                        {
                            Holding = BotHolding.People;
                            return BotStep.HumanAsked;
                        }

                        return BotStep.Turn;
                    }

                    if (Holding == BotHolding.Fresh && takesNew)
                    {
                        // Asked for a person straight away: the bot does not take it, people do.
                        Holding = asksHuman ? BotHolding.People : BotHolding.Bot;
                        return asksHuman ? BotStep.None : BotStep.Take;
                    }

                    return BotStep.None;
                }

                if (op.Role == "agent")
                {
                    var held = Holding == BotHolding.Bot;
                    Holding = BotHolding.People;
                    return held ? BotStep.AgentWrote : BotStep.None;
                }

                return BotStep.None;
            case "assign":
                Holding = op.To == botId ? BotHolding.Bot : BotHolding.People;
                return BotStep.None;
            case "handover":
                Holding = BotHolding.People;
                return BotStep.None;
            case "contact":
                Lang = op.Lang;
                return BotStep.None;
            default:
                return BotStep.None;
        }
    }

    /// <summary>Hands the conversation to people at once (the bot's own handover, before it is read back from the log).</summary>
    public void Release() => Holding = BotHolding.People;

    /// <summary>Adds a message the bot just posted, so the next turn of the same pass sees it (a repeat read is a no-op).</summary>
    public void Remember(in BotOp op)
    {
        if (op.Kind != "msg" || _recent.ContainsKey(op.Revision))
        {
            return;
        }

        _recent.Add(op.Revision, new KefuBotMessage { Revision = op.Revision, Role = op.Role ?? "", Name = op.Name ?? "", Text = op.Text ?? "", Timestamp = op.Timestamp });
        while (_recent.Count > historyCap)
        {
            _recent.RemoveAt(0);
        }
    }

    /// <summary>Whether <paramref name="text"/> is one of the keywords, ignoring case, spaces and punctuation around it.</summary>
    public static bool IsHumanKeyword(string? text, IReadOnlyCollection<string> keywords)
    {
        if (text is null || text.Length > 40)
        {
            return false;
        }

        var trimmed = text.Trim().Trim(".!?。！？,，~ ".ToCharArray());
        foreach (var keyword in keywords)
        {
            if (string.Equals(trimmed, keyword.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The context language: the contact op's, else Chinese when the text has CJK ideographs, else English.</summary>
    public string LanguageFor(string? text)
        => Lang ?? (text is not null && text.Any(c => c is >= '\u4e00' and <= '\u9fff') ? "zh-CN" : "en");
}
