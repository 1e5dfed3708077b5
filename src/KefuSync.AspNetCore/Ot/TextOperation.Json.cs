// The wire form: a JSON array of positive integers (retain), non-empty strings (insert) and negative integers
// (delete), e.g. [5,"abc",-2]. Invariants:
// - parsing accepts any such array, even a non-canonical one, and returns the canonical operation; it rejects with
//   OtException (never JsonException or a crash): non-arrays, nesting, floats and exponents, zero, integers outside
//   Int32 (and int.MinValue), empty strings, more than maxComponents elements (all Malformed), a string with an
//   unpaired surrogate escape (InvalidSurrogate), and lengths over MaxLength (TooLarge);
// - writing emits the canonical form; Parse(ToJson(op)) equals op.
// Hot path: the server reads the op straight from the received frame with ReadFrom(ref Utf8JsonReader). That
// allocates the operation, its component list and one string per insert, nothing per retain or delete; a
// StringBuilder only when a non-canonical input splits one insert into several strings.
using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace KefuSync.Ot;

public sealed partial class TextOperation
{
    /// <summary>The default limit on the number of elements of a parsed operation.</summary>
    public const int DefaultMaxComponents = 16_384;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    private static readonly JsonWriterOptions CompactWriterOptions = new()
    {
        // Ops are JSON payloads inside JSON frames, never HTML: keep CJK text readable and short.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    /// <summary>Parses the wire form from UTF-8 JSON, accepting at most <see cref="DefaultMaxComponents"/> elements.</summary>
    /// <param name="utf8Json">The JSON text: exactly one JSON array.</param>
    /// <exception cref="OtException">The input is not a valid operation (see <see cref="OtErrorCode"/>).</exception>
    public static TextOperation Parse(ReadOnlySpan<byte> utf8Json) => Parse(utf8Json, DefaultMaxComponents);

    /// <summary>Parses the wire form from UTF-8 JSON. The input must be exactly one JSON array.</summary>
    /// <param name="utf8Json">The JSON text.</param>
    /// <param name="maxComponents">The most array elements accepted (before normalisation).</param>
    /// <exception cref="OtException">The input is not a valid operation (see <see cref="OtErrorCode"/>).</exception>
    public static TextOperation Parse(ReadOnlySpan<byte> utf8Json, int maxComponents)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = 4 });
        try
        {
            var operation = ReadFrom(ref reader, maxComponents);
            if (reader.Read())
            {
                throw Malformed("Unexpected content after the operation's closing bracket.");
            }

            return operation;
        }
        catch (JsonException ex)
        {
            throw new OtException(OtErrorCode.Malformed, $"The operation is not valid JSON: {ex.Message}", ex);
        }
    }

    /// <summary>Parses the wire form from a JSON string (convenience for tests and tools), accepting at most <see cref="DefaultMaxComponents"/> elements.</summary>
    /// <exception cref="OtException">The input is not a valid operation.</exception>
    public static TextOperation Parse(string json) => Parse(json, DefaultMaxComponents);

    /// <summary>Parses the wire form from a JSON string, accepting at most <paramref name="maxComponents"/> elements.</summary>
    /// <exception cref="OtException">The input is not a valid operation.</exception>
    public static TextOperation Parse(string json, int maxComponents)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(Encoding.UTF8.GetBytes(json), maxComponents);
    }

    /// <summary>
    /// Reads an operation from <paramref name="reader"/>, which is positioned on the array's start token (or before
    /// it, at the start of the input). On return the reader is on the array's end token.
    /// </summary>
    /// <exception cref="OtException">The value is not a valid operation, or the JSON is invalid.</exception>
    public static TextOperation ReadFrom(ref Utf8JsonReader reader, int maxComponents = DefaultMaxComponents)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxComponents);
        try
        {
            if (reader.TokenType == JsonTokenType.None && !reader.Read())
            {
                throw Malformed("The input is empty.");
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw Malformed($"An operation is a JSON array; found {reader.TokenType}.");
            }

            // Between two retains, every insert and delete collapses into one insert then one delete: that is the
            // canonical form, and it costs no string concatenation in the common (already canonical) case.
            var operation = new TextOperation();
            string? pendingText = null;
            StringBuilder? pendingBuilder = null;
            long pendingDelete = 0;
            var count = 0;
            while (true)
            {
                if (!reader.Read())
                {
                    throw Malformed("The operation's array is not closed.");
                }

                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    break;
                }

                if (++count > maxComponents)
                {
                    throw Malformed($"The operation has more than {maxComponents} components.");
                }

                switch (reader.TokenType)
                {
                    case JsonTokenType.Number:
                        if (!reader.TryGetInt32(out var value) || value == int.MinValue)
                        {
                            throw Malformed($"Component {count - 1} is not an integer between -{int.MaxValue} and {int.MaxValue}.");
                        }

                        if (value == 0)
                        {
                            throw Malformed($"Component {count - 1} is zero; retains and deletes must be non-zero.");
                        }

                        if (value > 0)
                        {
                            Flush(operation, ref pendingText, pendingBuilder, ref pendingDelete);
                            operation.Retain(value);
                        }
                        else
                        {
                            pendingDelete += -(long)value;
                        }

                        break;
                    case JsonTokenType.String:
                        var text = ReadInsert(ref reader, count - 1);
                        if (pendingText is null && (pendingBuilder is null || pendingBuilder.Length == 0))
                        {
                            pendingText = text;
                        }
                        else
                        {
                            pendingBuilder ??= new StringBuilder();
                            if (pendingText is not null)
                            {
                                pendingBuilder.Append(pendingText);
                                pendingText = null;
                            }

                            pendingBuilder.Append(text);
                        }

                        break;
                    default:
                        throw Malformed($"Component {count - 1} is a {reader.TokenType}; expected an integer or a string.");
                }
            }

            Flush(operation, ref pendingText, pendingBuilder, ref pendingDelete);
            return operation;
        }
        catch (JsonException ex)
        {
            throw new OtException(OtErrorCode.Malformed, $"The operation is not valid JSON: {ex.Message}", ex);
        }
    }

    private static void Flush(TextOperation operation, ref string? pendingText, StringBuilder? pendingBuilder, ref long pendingDelete)
    {
        if (pendingText is not null)
        {
            operation.Insert(pendingText);
            pendingText = null;
        }
        else if (pendingBuilder is { Length: > 0 })
        {
            operation.Insert(pendingBuilder.ToString());
            pendingBuilder.Clear();
        }

        if (pendingDelete > 0)
        {
            if (pendingDelete > MaxLength)
            {
                throw new OtException(OtErrorCode.TooLarge, $"The operation deletes {pendingDelete} code units; the limit is {MaxLength}.");
            }

            operation.Delete((int)pendingDelete);
            pendingDelete = 0;
        }
    }

    private static string ReadInsert(ref Utf8JsonReader reader, int index)
    {
        string text;
        try
        {
            text = reader.GetString()!;
        }
        catch (InvalidOperationException ex)
        {
            // System.Text.Json refuses to decode an escaped lone surrogate ("\ud83d") or invalid UTF-8. JavaScript's
            // JSON.parse accepts the former and the client then reports invalid_surrogate: report the same here.
            var code = HasSurrogateEscape(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan)
                ? OtErrorCode.InvalidSurrogate
                : OtErrorCode.Malformed;
            throw new OtException(code, $"Component {index} is not a valid string: {ex.Message}", ex);
        }

        if (text.Length == 0)
        {
            throw Malformed($"Component {index} is an empty string; inserts must be non-empty.");
        }

        var bad = Utf16.IndexOfUnpairedSurrogate(text);
        if (bad >= 0)
        {
            throw new OtException(OtErrorCode.InvalidSurrogate, $"Component {index} has an unpaired surrogate at offset {bad}.");
        }

        return text;
    }

    /// <summary>Whether raw JSON string content contains an escape <c>\uD800</c>–<c>\uDFFF</c>.</summary>
    private static bool HasSurrogateEscape(ReadOnlySpan<byte> raw)
    {
        for (var i = 0; i + 5 < raw.Length; i++)
        {
            if (raw[i] != (byte)'\\')
            {
                continue;
            }

            if (raw[i + 1] == (byte)'u' && (raw[i + 2] | 0x20) == (byte)'d' && raw[i + 3] is (byte)'8' or (byte)'9'
                or (byte)'a' or (byte)'b' or (byte)'c' or (byte)'d' or (byte)'e' or (byte)'f'
                or (byte)'A' or (byte)'B' or (byte)'C' or (byte)'D' or (byte)'E' or (byte)'F')
            {
                return true;
            }

            i++; // skip the escaped character, so "\\ud800" (an escaped backslash) is not an escape
        }

        return false;
    }

    /// <summary>Writes the wire form (a JSON array) to <paramref name="writer"/>. Allocates nothing.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartArray();
        foreach (var component in Span)
        {
            switch (component.Kind)
            {
                case OtComponentKind.Retain:
                    writer.WriteNumberValue(component.Length);
                    break;
                case OtComponentKind.Insert:
                    writer.WriteStringValue(component.Text);
                    break;
                default:
                    writer.WriteNumberValue(-component.Length);
                    break;
            }
        }

        writer.WriteEndArray();
    }

    /// <summary>The wire form as UTF-8 JSON (for example the payload of an op record).</summary>
    public byte[] ToUtf8Json()
    {
        // One buffer and writer per thread (every committed keystroke is serialized here): only the result is allocated.
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, CompactWriterOptions);
        writer.Reset(buffer);
        WriteTo(writer);
        writer.Flush();
        var json = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity > 64 * 1024)
        {
            t_buffer = null; // a large paste grew it: don't pin it to the thread
            t_writer = null;
        }

        return json;
    }

    /// <summary>The wire form as a string, e.g. <c>[5,"abc",-2]</c>.</summary>
    public string ToJson() => Encoding.UTF8.GetString(ToUtf8Json());

    private static OtException Malformed(string message) => new(OtErrorCode.Malformed, message);
}
