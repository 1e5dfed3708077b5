using System.Text.Json;

namespace KefuSync.Protocol;

/// <summary>
/// The payload of a server-written record (the <c>email:KEY</c>, <c>bot:NAME</c> and <c>webhook:NAME</c> logs): one
/// JSON object whose members the caller writes, and read back with <see cref="TryApply"/>. Not for the hot path: those logs take a few records a minute, client ops use their own
/// pooled writers.
/// </summary>
internal static class JsonRecord
{
    public static byte[] Write(Action<Utf8JsonWriter> members)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            members(w);
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// Reads one record of a server-written log and hands its <c>k</c> and root to <paramref name="apply"/>. A record it
    /// cannot read (not JSON, a member missing or of another type: not one of ours, or from a newer version) is
    /// skipped: false, and the caller's fold moves only its head. The one place that policy lives.
    /// </summary>
    public static bool TryApply(ReadOnlySpan<byte> payload, Action<string?, JsonElement> apply)
    {
        try
        {
            using var json = JsonDocument.Parse(payload.ToArray());
            var op = json.RootElement;
            apply(op.GetProperty("k").GetString(), op);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// The top-level member <paramref name="name"/> of a JSON object when it is a string, else null: for an array, an
    /// object without it, or bytes that are not JSON. Nested members of that name are skipped, never read.
    /// </summary>
    public static string? TopLevelString(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 }); // as a frame (FrameParser)
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var found = reader.ValueTextEquals(name);
                reader.Read();
                if (found)
                {
                    return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }

                reader.Skip();
            }

            return null;
        }
        catch (JsonException)
        {
            return null; // not JSON, or deeper than a frame may be: no such member, which is what callers need to know
        }
    }
}
