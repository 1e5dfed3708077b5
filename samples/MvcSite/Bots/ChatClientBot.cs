using KefuSync;
using Microsoft.Extensions.AI;

namespace MvcSite.Bots;

/// <summary>
/// The sample bot (docs/bots.md): it hands each visitor message, with the conversation so far, to whatever
/// <see cref="IChatClient"/> the host registered, and posts the reply. A reply that starts with
/// <see cref="HandoverMarker"/> hands the conversation over to people, with the rest of the reply as its last message.
/// The sample registers the local <see cref="FaqChatClient"/>; any Microsoft.Extensions.AI provider works the same.
/// </summary>
public sealed class ChatClientBot(IChatClient chat) : IKefuBot
{
    /// <summary>What the model starts its reply with when a person should take over (the system prompt asks for it).</summary>
    public const string HandoverMarker = "[handover]";

    public async Task<KefuBotAnswer> AnswerAsync(KefuBotContext context, CancellationToken cancellationToken)
    {
        var messages = new List<ChatMessage> { new(ChatRole.System, SystemPrompt(context.Language)) };
        foreach (var m in context.History)
        {
            if (m.Text.Length > 0)
            {
                messages.Add(new ChatMessage(m.Role == "visitor" ? ChatRole.User : ChatRole.Assistant, m.Text));
            }
        }

        var response = await chat.GetResponseAsync(messages, cancellationToken: cancellationToken);
        var text = response.Text.Trim();
        if (text.Length == 0 || text.StartsWith(HandoverMarker, StringComparison.OrdinalIgnoreCase))
        {
            var last = text.Length > HandoverMarker.Length ? text[HandoverMarker.Length..].Trim() : "";
            return KefuBotAnswer.Handover("The assistant could not answer.", last.Length > 0 ? last : null);
        }

        return KefuBotAnswer.Reply(text);
    }

    private static string SystemPrompt(string language) =>
        "You are the assistant of the Oolong & Co. tea shop. Answer in " + (language == "zh-CN" ? "Simplified Chinese" : "English") +
        ", briefly, only about the shop: shipping, returns, opening hours, the teas. When you are not sure, or the visitor" +
        $" wants a person, reply with {HandoverMarker} followed by one sentence saying you are connecting them to a colleague.";
}
