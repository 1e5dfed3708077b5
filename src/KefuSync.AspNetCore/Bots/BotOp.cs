using System.Text.Json;
using KefuSync.Stores;

namespace KefuSync.Bots;

/// <summary>The members of a stored conversation op a bot's fold reads (docs/protocol.md §4.2).</summary>
internal readonly record struct BotOp(long Revision, string ClientOpId, string Author, DateTimeOffset Timestamp, string? Kind, string? Role, string? Name, string? Text, string? To, string? Lang, bool HasFile)
{
    /// <summary>Reads a stored op; one this version cannot read has no kind (the fold ignores it).</summary>
    public static BotOp Of(OpRecord record)
    {
        string? kind = null, role = null, name = null, text = null, to = null, lang = null;
        var file = false;
        try
        {
            using var json = JsonDocument.Parse(record.Payload);
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                kind = Member(root, "k");
                role = Member(root, "role");
                name = Member(root, "name");
                text = Member(root, "text");
                to = Member(root, "to");
                lang = Member(root, "lang");
                file = root.TryGetProperty("att", out var att) && att.ValueKind == JsonValueKind.Object;
            }
        }
        catch (JsonException)
        {
        }

        return new BotOp(record.Revision, record.ClientOpId, record.Author, record.Timestamp, kind, role, name, text, to, lang, file);
    }

    private static string? Member(JsonElement root, string name)
        => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
