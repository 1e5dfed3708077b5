using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace KefuSync.Protocol;

/// <summary>
/// Writes server frames. Each call produces one exact-size byte array that is queued as-is to every recipient: a
/// broadcast is serialized once per revision, never once per subscriber. The scratch buffer and writer are reused per
/// thread, so the only allocation per frame is its result array.
/// </summary>
internal static class FrameWriter
{
    // Relaxed escaping keeps CJK text as UTF-8 instead of \uXXXX (frames go to a WebSocket, never into HTML).
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public static byte[] Op(string channel, long revision, string id, string by, long timestamp, ReadOnlySpan<byte> op)
    {
        var w = Begin("op"u8);
        w.WriteString("ch"u8, channel);
        w.WriteNumber("rev"u8, revision);
        w.WriteString("id"u8, id);
        w.WriteString("by"u8, by);
        w.WriteNumber("ts"u8, timestamp);
        w.WritePropertyName("op"u8);
        w.WriteRawValue(op, skipInputValidation: true);
        return End(w);
    }

    public static byte[] Ack(string client, string channel, string id, long revision, bool duplicate)
    {
        var w = Begin("ack"u8);
        w.WriteString("c"u8, client);
        w.WriteString("ch"u8, channel);
        w.WriteString("id"u8, id);
        w.WriteNumber("rev"u8, revision);
        if (duplicate)
        {
            w.WriteBoolean("dup"u8, true);
        }

        return End(w);
    }

    /// <summary>
    /// An <c>error</c> frame; its <c>retry</c> flag is the code's, from <see cref="ErrorCodes.All"/> (docs/protocol.md §6).
    /// <paramref name="head"/> (written as <c>rev</c>) is the channel head a <c>future_base</c> refers to.
    /// </summary>
    public static byte[] Error(string code, string message, string? client = null, string? channel = null, string? id = null, string? query = null, long? head = null)
    {
        var w = Begin("error"u8);
        w.WriteString("code"u8, code);
        w.WriteString("msg"u8, message);
        w.WriteBoolean("retry"u8, ErrorCodes.IsRetryable(code));
        WriteOptional(w, "c"u8, client);
        WriteOptional(w, "ch"u8, channel);
        WriteOptional(w, "id"u8, id);
        WriteOptional(w, "q"u8, query);
        if (head is { } revision)
        {
            w.WriteNumber("rev"u8, revision);
        }

        return End(w);
    }

    public static byte[] Welcome(string connectionId, string meId, string meName, string role, string? token, string? conversation, int heartbeatMs, int ttlMs, int maxFrame, int maxText, long maxFile = 0, long maxPixels = 0, IReadOnlyList<string>? fileTypes = null, AvailabilityView? availability = null, string? rating = null, bool transcript = false, string? merged = null)
    {
        var w = Begin("welcome"u8);
        w.WriteNumber("v"u8, ProtocolConstants.Version);
        w.WriteString("server"u8, ProtocolConstants.ServerVersion);
        w.WriteString("conn"u8, connectionId);
        w.WriteStartObject("me"u8);
        w.WriteString("id"u8, meId);
        w.WriteString("name"u8, meName);
        w.WriteString("role"u8, role);
        w.WriteEndObject();
        WriteOptional(w, "token"u8, token);
        WriteOptional(w, "conv"u8, conversation);
        WriteOptional(w, "merged"u8, merged);
        w.WriteNumber("hb"u8, heartbeatMs);
        w.WriteNumber("ttl"u8, ttlMs);
        w.WriteStartObject("limits"u8);
        w.WriteNumber("maxFrame"u8, maxFrame);
        w.WriteNumber("maxText"u8, maxText);
        if (fileTypes is not null)
        {
            // Attachments enabled (section 9): what a client checks before uploading, to tell the user at once.
            w.WriteNumber("maxFile"u8, maxFile);
            w.WriteNumber("maxPixels"u8, maxPixels);
            w.WriteStartArray("fileTypes"u8);
            foreach (var type in fileTypes)
            {
                w.WriteStringValue(type);
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
        if (availability is { } avail)
        {
            w.WritePropertyName("avail"u8);
            WriteAvailability(w, avail);
        }

        // Visitors: the scale of the closed conversation's rating card (§2.2); absent when ratings are off.
        WriteOptional(w, "rating"u8, rating);
        if (transcript)
        {
            // Visitors, with emails on: the card may offer the transcript (§4.2 `transcript`).
            w.WriteBoolean("transcript"u8, true);
        }

        return End(w);
    }

    /// <summary>The <c>avail</c> frame (§2.4): the availability changed since <c>welcome</c> (an agent edited the hours).</summary>
    public static byte[] Availability(in AvailabilityView avail)
    {
        var w = Begin("avail"u8);
        w.WritePropertyName("avail"u8);
        WriteAvailability(w, avail);
        return End(w);
    }

    /// <summary>The <c>avail</c> object (§2.4), also the body of <c>GET {prefix}/availability</c>.</summary>
    public static void WriteAvailability(Utf8JsonWriter w, in AvailabilityView avail)
    {
        w.WriteStartObject();
        w.WriteBoolean("open"u8, avail.Open);
        if (avail.Back is { } back)
        {
            w.WriteNumber("back"u8, back);
        }

        if (avail.Next is { } next)
        {
            w.WriteNumber("next"u8, next);
        }

        w.WriteString("out"u8, avail.Outside);
        w.WriteString("ask"u8, avail.Ask);
        w.WriteEndObject();
    }

    public static byte[] Subbed(string channel, long revision)
    {
        var w = Begin("subbed"u8);
        w.WriteString("ch"u8, channel);
        w.WriteNumber("rev"u8, revision);
        return End(w);
    }

    /// <summary>A text document's state, or (without <paramref name="document"/>) a message channel's starting revision marker.</summary>
    public static byte[] Snapshot(string channel, long revision, string? document)
    {
        var w = Begin("snapshot"u8);
        w.WriteString("ch"u8, channel);
        w.WriteNumber("rev"u8, revision);
        WriteOptional(w, "doc"u8, document);
        return End(w);
    }

    public static byte[] History(string channel, string? query, ReadOnlySpan<WireOp> ops)
    {
        var w = Begin("history"u8);
        w.WriteString("ch"u8, channel);
        WriteOptional(w, "q"u8, query);
        w.WriteStartArray("ops"u8);
        foreach (var op in ops)
        {
            w.WriteStartObject();
            w.WriteString("ch"u8, channel);
            w.WriteNumber("rev"u8, op.Revision);
            w.WriteString("id"u8, op.Id);
            w.WriteString("by"u8, op.By);
            w.WriteNumber("ts"u8, op.Timestamp);
            w.WritePropertyName("op"u8);
            w.WriteRawValue(op.Op.Span, skipInputValidation: true);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        return End(w);
    }

    public static byte[] Presence(string channel, IEnumerable<PresenceView> entries)
    {
        var w = Begin("presence"u8);
        w.WriteString("ch"u8, channel);
        w.WriteStartArray("list"u8);
        foreach (var entry in entries)
        {
            w.WriteStartObject();
            w.WriteString("id"u8, entry.PrincipalId);
            w.WriteString("name"u8, entry.Name);
            w.WriteString("role"u8, entry.Role);
            w.WriteString("c"u8, entry.Client);
            WriteOptional(w, "conv"u8, entry.ConversationKey);
            WriteOptional(w, "gen"u8, entry.Gen);
            w.WritePropertyName("s"u8);
            w.WriteRawValue(entry.State.Span, skipInputValidation: true);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        return End(w);
    }

    /// <summary>Reply to <c>list</c>: inbox summaries (already JSON) and the inbox revision to subscribe from.</summary>
    public static byte[] List(string? query, long revision, IEnumerable<byte[]> items)
    {
        var w = Begin("list"u8);
        WriteOptional(w, "q"u8, query);
        w.WriteNumber("rev"u8, revision);
        w.WriteStartArray("items"u8);
        foreach (var item in items)
        {
            w.WriteRawValue(item, skipInputValidation: true);
        }

        w.WriteEndArray();
        return End(w);
    }

    public static byte[] Pong(string? query)
    {
        var w = Begin("pong"u8);
        WriteOptional(w, "q"u8, query);
        return End(w);
    }

    private static Utf8JsonWriter Begin(ReadOnlySpan<byte> type)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(512);
        buffer.ResetWrittenCount();
        var writer = t_writer;
        if (writer is null)
        {
            writer = t_writer = new Utf8JsonWriter(buffer, Options);
        }
        else
        {
            writer.Reset(buffer);
        }

        writer.WriteStartObject();
        writer.WriteString("t"u8, type);
        return writer;
    }

    private static byte[] End(Utf8JsonWriter writer)
    {
        writer.WriteEndObject();
        writer.Flush();
        var result = t_buffer!.WrittenSpan.ToArray();
        if (t_buffer.Capacity > 64 * 1024)
        {
            // Don't let one huge history page pin a large buffer to the thread forever.
            t_buffer = null;
            t_writer = null;
        }

        return result;
    }

    private static void WriteOptional(Utf8JsonWriter w, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }
}
