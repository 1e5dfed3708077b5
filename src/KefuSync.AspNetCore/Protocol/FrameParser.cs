using System.Text.Json;

namespace KefuSync.Protocol;

/// <summary>
/// Reads a client frame with <see cref="Utf8JsonReader"/> straight from the receive buffer. This is the hot path:
/// no DOM, no reflection; the only allocations are the short strings a frame names (client, channel, op id), and raw
/// members (<c>op</c>, <c>s</c>) stay slices of the buffer.
/// </summary>
internal static class FrameParser
{
    private const int MaxDepth = 16;

    /// <summary>Parses <paramref name="utf8"/>. On failure returns false and a message for a <c>bad_frame</c> error.</summary>
    /// <remarks><paramref name="strings"/>: the connection's <see cref="FrameStrings"/>, to reuse the strings of its last frames.</remarks>
    public static bool TryParse(ReadOnlyMemory<byte> utf8, out ClientFrame frame, out string? error, FrameStrings? strings = null)
    {
        frame = default;
        error = null;
        try
        {
            return Parse(utf8, ref frame, ref error, strings);
        }
        catch (JsonException ex)
        {
            error = "The frame is not valid JSON: " + ex.Message;
            return false;
        }
        catch (InvalidOperationException ex)
        {
            // Utf8JsonReader throws this for a token of an unexpected kind (e.g. GetString on a number).
            error = "A member has the wrong type: " + ex.Message;
            return false;
        }
        catch (FormatException ex)
        {
            error = "A number is out of range: " + ex.Message;
            return false;
        }
    }

    private static bool Parse(ReadOnlyMemory<byte> utf8, ref ClientFrame frame, ref string? error, FrameStrings? strings)
    {
        var reader = new Utf8JsonReader(utf8.Span, new JsonReaderOptions { MaxDepth = MaxDepth });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            error = "A frame must be a JSON object.";
            return false;
        }

        var result = new ClientFrame();
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                error = "Unexpected token.";
                return false;
            }

            if (reader.ValueTextEquals("t"u8))
            {
                reader.Read();
                var name = JsonLiterals.Match(ref reader, TypeNames) ?? RequireString(ref reader, "t");
                result = result with { TypeName = name, Type = TypeOf(name) };
            }
            else if (reader.ValueTextEquals("c"u8))
            {
                reader.Read();
                result = result with { Client = strings is null ? RequireString(ref reader, "c") : strings.Client(ref reader) };
            }
            else if (reader.ValueTextEquals("ch"u8))
            {
                reader.Read();
                result = result with { Channel = strings is null ? RequireString(ref reader, "ch") : strings.Channel(ref reader) };
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                result = result with { Id = RequireString(ref reader, "id") };
            }
            else if (reader.ValueTextEquals("f"u8))
            {
                reader.Read();
                result = result with { Filter = RequireString(ref reader, "f") };
            }
            else if (reader.ValueTextEquals("q"u8))
            {
                reader.Read();
                result = result with { Query = RequireString(ref reader, "q") };
            }
            else if (reader.ValueTextEquals("rev"u8))
            {
                reader.Read();
                result = result with { Revision = RequireInt64(ref reader, "rev") };
            }
            else if (reader.ValueTextEquals("n"u8))
            {
                reader.Read();
                result = result with { Count = RequireInt64(ref reader, "n") };
            }
            else if (reader.ValueTextEquals("v"u8))
            {
                reader.Read();
                result = result with { Version = (int)Math.Clamp(RequireInt64(ref reader, "v"), int.MinValue, int.MaxValue) };
            }
            else if (reader.ValueTextEquals("client"u8))
            {
                // The client's version is informational and nothing on the server uses it, but the member is still checked
                // like any other (docs/protocol.md §2.3): a number, or a string that is not valid text, is a bad_frame.
                reader.Read();
                _ = RequireString(ref reader, "client");
            }
            else if (reader.ValueTextEquals("token"u8))
            {
                reader.Read();
                result = result with { Token = reader.TokenType == JsonTokenType.Null ? null : RequireString(ref reader, "token") };
            }
            else if (reader.ValueTextEquals("anon"u8))
            {
                reader.Read();
                result = result with { Anon = reader.TokenType == JsonTokenType.Null ? null : RequireString(ref reader, "anon") };
            }
            else if (reader.ValueTextEquals("agent"u8))
            {
                reader.Read();
                result = result with { Agent = reader.TokenType switch
                {
                    JsonTokenType.True => true,
                    JsonTokenType.False or JsonTokenType.Null => false,
                    _ => throw new InvalidOperationException("'agent' must be a boolean."),
                } };
            }
            else if (reader.ValueTextEquals("op"u8))
            {
                reader.Read();
                result = result with { Op = RawValue(ref reader, utf8) };
            }
            else if (reader.ValueTextEquals("s"u8))
            {
                reader.Read();
                var isNull = reader.TokenType == JsonTokenType.Null;
                if (!isNull && reader.TokenType != JsonTokenType.StartObject)
                {
                    error = "'s' must be an object or null.";
                    return false;
                }

                result = result with { State = RawValue(ref reader, utf8), StateIsNull = isNull };
            }
            else
            {
                // Unknown members are ignored (forward compatibility, docs/protocol.md §2).
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.Read())
        {
            error = "Unexpected data after the frame's object.";
            return false;
        }

        if (result.TypeName is null)
        {
            error = "The frame has no 't' member.";
            return false;
        }

        frame = result;
        return true;
    }

    /// <summary>The frame types of section 2, read as these literals (no string per frame).</summary>
    private static readonly string[] TypeNames = ["submit", "presence", "ping", "sub", "unsub", "history", "list", "hello", "bye"];

    private static FrameType TypeOf(string name) => name switch
    {
        "hello" => FrameType.Hello,
        "sub" => FrameType.Sub,
        "unsub" => FrameType.Unsub,
        "submit" => FrameType.Submit,
        "presence" => FrameType.Presence,
        "history" => FrameType.History,
        "bye" => FrameType.Bye,
        "ping" => FrameType.Ping,
        "list" => FrameType.List,
        _ => FrameType.Unknown,
    };

    internal static string RequireString(ref Utf8JsonReader reader, string member)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new InvalidOperationException($"'{member}' must be a string.");
        }

        return reader.GetString()!;
    }

    private static long RequireInt64(ref Utf8JsonReader reader, string member)
    {
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var value))
        {
            throw new InvalidOperationException($"'{member}' must be an integer.");
        }

        return value;
    }

    private static ReadOnlyMemory<byte> RawValue(ref Utf8JsonReader reader, ReadOnlyMemory<byte> utf8)
    {
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        var end = (int)reader.BytesConsumed;
        return utf8[start..end];
    }
}
