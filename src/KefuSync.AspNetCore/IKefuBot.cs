namespace KefuSync;

/// <summary>
/// A bot that holds conversations until it hands them to people (docs/bots.md). Register it with
/// <c>builder.AddBot&lt;TBot&gt;()</c>. KefuSync calls it from the op log once per new visitor message of a conversation the
/// bot holds, in order per conversation, on one node at a time; what it answers is posted as the bot.
/// </summary>
/// <remarks>
/// It is resolved from a new DI scope for every call, so it may depend on scoped services. A call that throws, or that
/// takes longer than <see cref="KefuBotOptions.Timeout"/>, hands the conversation over to people. After a node crash a
/// message may be offered again; what the bot answered the first time is kept, and the repeat's answer is dropped.
/// </remarks>
public interface IKefuBot
{
    /// <summary>Answers the visitor's new message.</summary>
    /// <param name="context">The conversation, the new message and the recent history.</param>
    /// <param name="cancellationToken">Cancelled at the timeout or when the host stops.</param>
    /// <returns>What to post, and whether to hand the conversation over to people.</returns>
    Task<KefuBotAnswer> AnswerAsync(KefuBotContext context, CancellationToken cancellationToken);
}
