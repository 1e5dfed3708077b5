using System.Text.Json;

namespace KefuSync.Protocol;

/// <summary>
/// The payload of a server-written record (the <c>email:KEY</c> and <c>webhook:NAME</c> logs): one JSON object whose
/// members the caller writes. Not for the hot path: those logs take a few records a minute, client ops use their own
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
}
