using System.Globalization;
using System.Text.Json;
using KefuSync.Stores;

namespace KefuSync.Webhooks;

/// <summary>
/// Derives the events of one committed conversation op (docs/webhooks.md §3). Pure: every node derives the same events
/// with the same ids from the same log, which is what makes a resend after a crash a duplicate a receiver can drop.
/// </summary>
internal static class WebhookEvents
{
    /// <summary>
    /// The <c>webhook-id</c> of the event of revision <paramref name="revision"/> of conversation <paramref name="key"/>;
    /// revision 0 is the conversation's creation (sent just before the event of its first op).
    /// </summary>
    public static string Id(string key, long revision) => "kefu_" + key + "_" + revision.ToString(CultureInfo.InvariantCulture);

    /// <summary>The events of <paramref name="op"/>, in order, that <paramref name="wanted"/> lets through (none for read markers and unknown kinds).</summary>
    public static List<WebhookEvent> Derive(string key, OpRecord op, Func<string, bool> wanted)
    {
        var events = new List<WebhookEvent>(2);
        JsonElement root;
        try
        {
            using var json = JsonDocument.Parse(op.Payload);
            root = json.RootElement.Clone();
        }
        catch (JsonException)
        {
            return events; // not a message op this version knows: nothing to say about it
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return events;
        }

        var author = new WebhookAuthor(op.Author, Member(root, "name"), Member(root, "role"));
        var data = new WebhookData { Conversation = key, Revision = op.Revision, Author = author };
        if (op.Revision == 1 && wanted(KefuSync.KefuWebhookEvents.ConversationCreated))
        {
            events.Add(Build(Id(key, 0), KefuSync.KefuWebhookEvents.ConversationCreated, op.Timestamp, data));
        }

        (string Type, WebhookData Data)? item = Member(root, "k") switch
        {
            "msg" => (KefuSync.KefuWebhookEvents.MessageCreated, data with { Text = Member(root, "text"), Attachment = root.TryGetProperty("att", out var att) && att.ValueKind == JsonValueKind.Object ? att : null }),
            "edit" => (KefuSync.KefuWebhookEvents.MessageEdited, data with { Text = Member(root, "text"), Target = Long(root, "target") }),
            "recall" => (KefuSync.KefuWebhookEvents.MessageRecalled, data with { Target = Long(root, "target") }),
            "status" => (KefuSync.KefuWebhookEvents.ConversationStatusChanged, data with { Status = Member(root, "status") }),
            "assign" => (KefuSync.KefuWebhookEvents.ConversationAssigned, data with { Assignee = root.TryGetProperty("to", out var to) && to.ValueKind is JsonValueKind.String or JsonValueKind.Null ? to : NullElement }),
            "contact" => (KefuSync.KefuWebhookEvents.VisitorIdentified, data with { Email = Member(root, "email"), Lang = Member(root, "lang") }),
            "rate" => (KefuSync.KefuWebhookEvents.ConversationRated, data with { Score = Long(root, "score"), Comment = Member(root, "comment") }),
            "handover" => (KefuSync.KefuWebhookEvents.ConversationHandedOver, data with { Reason = Member(root, "reason") }),
            _ => null, // read markers, and kinds a later version adds
        };
        if (item is { } e && wanted(e.Type))
        {
            events.Add(Build(Id(key, op.Revision), e.Type, op.Timestamp, e.Data));
        }

        return events;
    }

    private static readonly JsonElement NullElement = JsonDocument.Parse("null").RootElement.Clone();

    private static WebhookEvent Build(string id, string type, DateTimeOffset timestamp, WebhookData data)
        => new(id, type, JsonSerializer.SerializeToUtf8Bytes(new WebhookPayload(type, timestamp, data), WebhookJsonContext.Default.WebhookPayload));

    private static string? Member(JsonElement root, string name)
        => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Long(JsonElement root, string name)
        => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) ? n : null;
}
