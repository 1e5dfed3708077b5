using System.Text.Json;
using KefuSync.Protocol;

namespace KefuSync.Presence;

/// <summary>
/// How a node's presence entries of one channel travel over the backplane: a JSON array of
/// <c>[id, name, role, client, state, conv]</c> arrays. Nodes of one version write and read it; a malformed
/// announcement throws <see cref="JsonException"/> and is ignored by the receiver.
/// </summary>
internal static class PresenceCodec
{
    public static byte[] Encode(PresenceView[] views)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var v in views)
            {
                writer.WriteStartArray();
                writer.WriteStringValue(v.PrincipalId);
                writer.WriteStringValue(v.Name);
                writer.WriteStringValue(v.Role);
                writer.WriteStringValue(v.Client);
                writer.WriteRawValue(v.State.Span, skipInputValidation: true);
                writer.WriteStringValue(v.ConversationKey);
                if (v.Gen is not null)
                {
                    writer.WriteStringValue(v.Gen);
                }
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
        }

        return buffer.ToArray();
    }

    public static PresenceView[] Decode(ReadOnlySpan<byte> payload)
    {
        using var doc = JsonDocument.Parse(payload.ToArray());
        var result = new List<PresenceView>();
        foreach (var item in doc.RootElement.EnumerateArray())
        {
            result.Add(new PresenceView(
                item[0].GetString() ?? "",
                item[1].GetString() ?? "",
                item[2].GetString() ?? "",
                item[3].GetString() ?? "",
                System.Text.Encoding.UTF8.GetBytes(item[4].GetRawText()),
                item.GetArrayLength() > 5 ? item[5].GetString() : null,
                item.GetArrayLength() > 6 ? item[6].GetString() : null));
        }

        return [.. result];
    }
}
