using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace MvcSite.Bots;

/// <summary>
/// A local, deterministic <see cref="IChatClient"/> for the sample and its tests: keyword answers to the shop's common
/// questions in English and Chinese, and a handover (<see cref="ChatClientBot.HandoverMarker"/>) for anything else.
/// Nothing is downloaded and no model runs; a host swaps in a real provider with one line (docs/bots.md).
/// </summary>
public sealed class FaqChatClient : IChatClient
{
    private static readonly (string[] Keywords, string En, string Zh)[] Faq =
    [
        (["shipping", "delivery", "deliver", "运费", "发货", "快递", "包邮"], "Shipping is free over ¥99 and takes two to three days.", "满 99 元包邮，一般两到三天送达。"),
        (["return", "refund", "退货", "退款"], "You can return unopened tins within 14 days; we refund within three working days.", "未开封的茶叶 14 天内可退货，三个工作日内退款。"),
        (["hours", "open", "营业", "几点"], "We answer chats every day from 9:00 to 21:00.", "我们每天 9:00 至 21:00 在线。"),
        (["hello", "hi", "hey", "你好", "您好"], "Hello! I'm the shop's assistant. Ask me about shipping, returns or opening hours.", "您好！我是小助手，可以回答运费、退货和营业时间的问题。"),
    ];

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var question = messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? "";
        var zh = question.Any(c => c is >= '\u4e00' and <= '\u9fff');
        var lower = question.ToLowerInvariant();
        foreach (var (keywords, en, zhAnswer) in Faq)
        {
            if (keywords.Any(k => Contains(lower, k)))
            {
                return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, zh ? zhAnswer : en)));
            }
        }

        var unsure = zh ? "这个问题我不确定，正在为您转接同事。" : "I'm not sure about that, so I'm connecting you with a colleague.";
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, $"{ChatClientBot.HandoverMarker} {unsure}")));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    /// <summary>A whole-word match for Latin keywords ("hi" is not in "this"); Chinese has no spaces, so a substring.</summary>
    private static bool Contains(string text, string keyword)
    {
        if (keyword.Any(c => c > 0x7f))
        {
            return text.Contains(keyword, StringComparison.Ordinal);
        }

        for (var i = text.IndexOf(keyword, StringComparison.Ordinal); i >= 0; i = text.IndexOf(keyword, i + 1, StringComparison.Ordinal))
        {
            var before = i == 0 || !char.IsLetter(text[i - 1]);
            var after = i + keyword.Length == text.Length || !char.IsLetter(text[i + keyword.Length]);
            if (before && after)
            {
                return true;
            }
        }

        return false;
    }
}
