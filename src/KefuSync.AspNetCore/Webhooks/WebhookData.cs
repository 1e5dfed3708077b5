using System.Text.Json;

namespace KefuSync.Webhooks;

/// <summary>
/// The <c>data</c> of an event (docs/webhooks.md §3): the conversation, the revision of the op it comes from, its author,
/// and the members of its type; members a type does not have are absent.
/// </summary>
internal sealed record WebhookData
{
    public required string Conversation { get; init; }

    public required long Revision { get; init; }

    public required WebhookAuthor Author { get; init; }

    public string? Text { get; init; }

    /// <summary>The attachment metadata of a message with a file, as the server stored it (docs/protocol.md §9.3).</summary>
    public JsonElement? Attachment { get; init; }

    /// <summary>The revision of the message an edit or recall changes.</summary>
    public long? Target { get; init; }

    public string? Status { get; init; }

    /// <summary>The assignee's principal id, or JSON null when the conversation was unassigned (a null element is written, an absent one is not).</summary>
    public JsonElement? Assignee { get; init; }

    public string? Email { get; init; }

    public string? Lang { get; init; }

    /// <summary>The score of a rating, 1–5 (thumbs are 1 and 5).</summary>
    public long? Score { get; init; }

    public string? Comment { get; init; }

    /// <summary>Why a conversation was handed over to people (<c>handover</c>), when the bot or visitor said.</summary>
    public string? Reason { get; init; }
}
