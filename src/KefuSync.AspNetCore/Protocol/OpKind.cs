using System.Text.Json;

namespace KefuSync.Protocol;

/// <summary>The kind of a message-channel op (docs/protocol.md §4.2): its top-level <c>k</c> member.</summary>
internal static class OpKind
{
    /// <summary>
    /// The top-level <c>k</c> of an op when it is a string, else null: for an array (a text op), an object without one,
    /// or bytes that are not JSON. Nested members named <c>k</c> are skipped, never read.
    /// </summary>
    public static string? Of(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 } /* as a frame (FrameParser) */);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isKind = reader.ValueTextEquals("k"u8);
                reader.Read();
                if (isKind)
                {
                    return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }

                reader.Skip();
            }

            return null;
        }
        catch (JsonException)
        {
            // Not JSON, or deeper than an op may be: such bytes have no kind, which is what the callers need to know
            // (an edit of it is refused, a settings read ignores it). Nothing else is thrown here.
            return null;
        }
    }
}
