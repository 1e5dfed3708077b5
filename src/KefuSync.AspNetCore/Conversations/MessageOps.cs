using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using KefuSync.Protocol;
using KefuSync.Security;

namespace KefuSync.Conversations;

/// <summary>
/// Reads the message ops a client may send on a <c>conv</c> channel and builds the payload the server stores. The
/// stored object is always built here from validated members, never copied from the client's bytes, so nothing a
/// client adds (HTML, extra members, a forged <c>role</c>) reaches the log.
/// </summary>
internal static class MessageOps
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // One buffer and writer per thread: building a payload allocates only the resulting array (hot path: every message).
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>The longest comment a <c>rate</c> op carries (docs/protocol.md §4.2): a remark, not a second conversation.</summary>
    public const int MaxRatingCommentChars = 1000;

    /// <summary>The longest <c>reason</c> of a <c>handover</c> op (docs/protocol.md §4.2).</summary>
    public const int MaxHandoverReasonChars = 200;

    public static bool TryRead(ReadOnlySpan<byte> json, int maxChars, out MessageOp op, out string error, KefuRating rating = KefuRating.Stars)
    {
        op = default;
        error = "";
        string? kind = null;
        string? text = null;
        string? value = null;
        string? email = null;
        string? lang = null;
        string? comment = null;
        string? reason = null;
        long score = -1;
        var hasTo = false;
        long target = -1;
        string? attachment = null;
        var hasAttachment = false;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 4 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "A message op must be an object.";
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("k"u8))
                {
                    reader.Read();
                    if ((kind = JsonLiterals.Match(ref reader, Kinds)) is null && !TryReadString(ref reader, "k", out kind, out error))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("text"u8))
                {
                    reader.Read();
                    if (!TryReadString(ref reader, "text", out text, out error))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("email"u8))
                {
                    reader.Read();
                    if (!TryReadString(ref reader, "email", out email, out error))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("lang"u8))
                {
                    reader.Read();
                    if (!TryReadString(ref reader, "lang", out lang, out error))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("comment"u8))
                {
                    reader.Read();
                    if (!TryReadString(ref reader, "comment", out comment, out error))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("reason"u8))
                {
                    reader.Read();
                    if (!TryReadString(ref reader, "reason", out reason, out error))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("score"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out score))
                    {
                        score = -1; // not an integer: the range check below refuses it
                    }
                }
                else if (reader.ValueTextEquals("status"u8))
                {
                    reader.Read();
                    if (!TryReadString(ref reader, "status", out value, out error))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("to"u8))
                {
                    reader.Read();
                    hasTo = true;
                    if (reader.TokenType == JsonTokenType.Null)
                    {
                        value = "";
                    }
                    else if (reader.TokenType != JsonTokenType.String || !TryReadString(ref reader, "to", out value, out error))
                    {
                        error = error.Length > 0 ? error : "'to' must be a string or null.";
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("att"u8))
                {
                    reader.Read();
                    hasAttachment = true;
                    if (!TryReadAttachment(ref reader, out attachment, out error))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("upTo"u8) || reader.ValueTextEquals("target"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out target) || target < 1)
                    {
                        error = "'upTo'/'target' must be a positive revision.";
                        return false;
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException ex)
        {
            error = "Malformed message op: " + ex.Message;
            return false;
        }

        switch (kind)
        {
            case "msg" when hasAttachment:
                // A file, with an optional caption (section 9): the server resolves the id against the conversation's files.
                if (attachment is null)
                {
                    error = "'att' must be {\"id\": an attachment id (22 chars of A-Za-z0-9_-)}.";
                    return false;
                }

                if (text is not null && text.Length > maxChars)
                {
                    error = $"'text' is longer than {maxChars} characters.";
                    return false;
                }

                op = new MessageOp(kind, string.IsNullOrWhiteSpace(text) ? null : text, 0, AttachmentId: attachment);
                return true;
            case "msg":
            case "edit":
                if (string.IsNullOrWhiteSpace(text))
                {
                    error = "'text' must be a non-empty string.";
                    return false;
                }

                if (text.Length > maxChars)
                {
                    error = $"'text' is longer than {maxChars} characters.";
                    return false;
                }

                if (kind == "edit" && target < 1)
                {
                    error = "'edit' needs a 'target' revision.";
                    return false;
                }

                op = new MessageOp(kind, text, target);
                return true;
            case "read":
            case "recall":
                if (target < 1)
                {
                    error = $"'{kind}' needs a positive '{(kind == "read" ? "upTo" : "target")}'.";
                    return false;
                }

                op = new MessageOp(kind, null, target);
                return true;
            case "status":
                if (value is not ("open" or "pending" or "closed"))
                {
                    error = "'status' must be open, pending or closed.";
                    return false;
                }

                op = new MessageOp(kind, null, 0, value);
                return true;
            case "contact":
                // The email a visitor leaves in the offline form (docs/protocol.md §4.2): one plain address, so nothing a
                // visitor types can add a header or a second recipient to the follow-up email.
                if (!Email.EmailAddress.IsValid(email))
                {
                    error = "'email' must be one email address (local@domain.tld), at most 254 characters.";
                    return false;
                }

                // Any Chinese tag writes Chinese emails; everything else English (the widget's own two languages).
                op = new MessageOp(kind, null, 0, email, Lang: lang is not null && lang.StartsWith("zh", StringComparison.OrdinalIgnoreCase) ? "zh-CN" : "en");
                return true;
            case "transcript":
                // A visitor asking for the closed conversation's transcript by email (docs/protocol.md §4.2): the address is
                // checked exactly like a contact's, so nothing typed can add a header or a second recipient.
                if (!Email.EmailAddress.IsValid(email))
                {
                    error = "'email' must be one email address (local@domain.tld), at most 254 characters.";
                    return false;
                }

                op = new MessageOp(kind, null, 0, email, Lang: lang is not null && lang.StartsWith("zh", StringComparison.OrdinalIgnoreCase) ? "zh-CN" : "en");
                return true;
            case "rate":
                // Thumbs are scores 1 and 5, so one metric and one inbox member fit both modes; the visitor/closed/once rules
                // need the log and are checked by the handler (ConversationRules.CheckRating).
                if (rating == KefuRating.Off)
                {
                    error = "Ratings are off on this server.";
                    return false;
                }

                if (rating == KefuRating.Thumbs ? score is not (1 or 5) : score is < 1 or > 5)
                {
                    error = rating == KefuRating.Thumbs ? "'score' must be 1 (thumbs down) or 5 (thumbs up)." : "'score' must be an integer from 1 to 5.";
                    return false;
                }

                if (comment is not null && comment.Length > MaxRatingCommentChars)
                {
                    error = $"'comment' is longer than {MaxRatingCommentChars} characters.";
                    return false;
                }

                op = new MessageOp(kind, string.IsNullOrWhiteSpace(comment) ? null : comment, score);
                return true;
            case "assign":
                // A bot (bot:NAME) holds a conversation the same way an agent does (docs/bots.md): the inbox shows it as the bot's.
                if (!hasTo || (value!.Length > 0 && (!(value.StartsWith("agent:", StringComparison.Ordinal) || value.StartsWith("bot:", StringComparison.Ordinal)) || value.Length > 80)))
                {
                    error = "'to' must be an agent id (agent:NAME), a bot id (bot:NAME) or null.";
                    return false;
                }

                op = new MessageOp(kind, null, 0, value);
                return true;
            case "handover":
                // The conversation goes from a bot to people (docs/protocol.md §4.2): the reason is a short plain-text note.
                if (reason is not null && reason.Length > MaxHandoverReasonChars)
                {
                    error = $"'reason' is longer than {MaxHandoverReasonChars} characters.";
                    return false;
                }

                op = new MessageOp(kind, string.IsNullOrWhiteSpace(reason) ? null : reason, 0);
                return true;
            default:
                error = "Unknown message kind 'k'; expected msg, read, edit, recall, contact, rate, transcript, status, assign or handover.";
                return false;
        }
    }

    /// <summary>The kinds of section 4.2, read as these literals (no string per message).</summary>
    private static readonly string[] Kinds = ["msg", "read", "edit", "recall", "status", "assign", "contact", "transcript", "rate", "handover", "merged"];

    /// <summary>
    /// Reads a string member; a member of another type reads as null (the kind's own rule then refuses it). A string whose
    /// escapes decode to an unpaired surrogate (<c>"\ud83d"</c>) is not text: <see cref="Utf8JsonReader.GetString"/> throws
    /// <see cref="InvalidOperationException"/> for it, which is the client's error (<c>invalid_op</c>), never the store's.
    /// </summary>
    private static bool TryReadString(ref Utf8JsonReader reader, string member, out string? value, out string error)
    {
        error = "";
        value = null;
        if (reader.TokenType != JsonTokenType.String)
        {
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
            }

            return true;
        }

        try
        {
            value = reader.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            error = $"'{member}' is not valid text: it contains an unpaired surrogate.";
            return false;
        }
    }

    /// <summary>
    /// Reads <c>att</c>: an object whose <c>id</c> is 22 chars of <c>[A-Za-z0-9_-]</c>; every other member the client adds
    /// (a size, a type, a name) is ignored, because the server writes the metadata itself. Null id: malformed.
    /// </summary>
    private static bool TryReadAttachment(ref Utf8JsonReader reader, out string? id, out string error)
    {
        id = null;
        error = "";
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return true;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                if (!TryReadString(ref reader, "att.id", out var value, out error))
                {
                    return false;
                }

                id = value is { Length: 22 } && !value.AsSpan().ContainsAnyExcept(AttachmentIdChars) ? value : null;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return true;
    }

    private static readonly SearchValues<char> AttachmentIdChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

    /// <summary>The <c>att.id</c> of a stored <c>msg</c> payload, or null (for the recall of a message with a file).</summary>
    public static string? AttachmentIdOf(ReadOnlySpan<byte> payload)
    {
        var reader = new Utf8JsonReader(payload);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isAttachment = reader.ValueTextEquals("att"u8);
            reader.Read();
            if (!isAttachment || reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = reader.ValueTextEquals("id"u8);
                reader.Read();
                if (isId && reader.TokenType == JsonTokenType.String)
                {
                    return reader.GetString();
                }

                reader.Skip();
            }

            return null;
        }

        return null;
    }

    /// <summary>Builds the stored payload: the op's members plus the author's name and role.</summary>
    public static byte[] BuildPayload(in MessageOp op, KefuPrincipal author)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(512);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        writer.Reset(buffer);
        {
            writer.WriteStartObject();
            writer.WriteString("k"u8, op.Kind);
            if (op.Kind == "rate")
            {
                writer.WriteNumber("score"u8, op.Target);
                if (op.Text is not null)
                {
                    writer.WriteString("comment"u8, op.Text);
                }
            }
            else if (op.Kind == "handover")
            {
                if (op.Text is not null)
                {
                    writer.WriteString("reason"u8, op.Text);
                }
            }
            else if (op.Text is not null)
            {
                writer.WriteString("text"u8, op.Text);
            }

            if (op.AttachmentJson is not null)
            {
                // Built by the server from the blob store's metadata (never the client's bytes), so it is valid JSON.
                writer.WritePropertyName("att"u8);
                writer.WriteRawValue(op.AttachmentJson, skipInputValidation: true);
            }

            if (op.Kind == "read")
            {
                writer.WriteNumber("upTo"u8, op.Target);
            }
            else if (op.Kind is "contact" or "transcript")
            {
                writer.WriteString("email"u8, op.Value);
                writer.WriteString("lang"u8, op.Lang);
            }
            else if (op.Kind == "status")
            {
                writer.WriteString("status"u8, op.Value);
            }
            else if (op.Kind == "assign")
            {
                if (string.IsNullOrEmpty(op.Value))
                {
                    writer.WriteNull("to"u8);
                }
                else
                {
                    writer.WriteString("to"u8, op.Value);
                }
            }
            else if (op.Target > 0 && op.Kind != "rate")
            {
                writer.WriteNumber("target"u8, op.Target);
            }

            writer.WriteString("name"u8, author.Name);
            writer.WriteString("role"u8, author.RoleName);
            writer.WriteEndObject();
            writer.Flush();
        }

        var payload = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity > 64 * 1024)
        {
            // A long message grew the buffer: don't pin it to the thread forever.
            t_buffer = null;
            t_writer = null;
        }

        return payload;
    }

    /// <summary>Reads <c>k</c>, <c>status</c> and <c>role</c> of a stored payload (for the rating check's walk back).</summary>
    public static (string? Kind, string? Status, string? Role) KindStatusRoleOf(ReadOnlySpan<byte> payload)
    {
        string? kind = null, status = null, role = null;
        var reader = new Utf8JsonReader(payload);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return (null, null, null);
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var member = reader.ValueTextEquals("k"u8) ? 1 : reader.ValueTextEquals("status"u8) ? 2 : reader.ValueTextEquals("role"u8) ? 3 : 0;
            reader.Read();
            if (member == 0 || reader.TokenType != JsonTokenType.String)
            {
                reader.Skip();
                continue;
            }

            var value = reader.GetString();
            (kind, status, role) = member switch { 1 => (value, status, role), 2 => (kind, value, role), _ => (kind, status, value) };
        }

        return (kind, status, role);
    }
}
