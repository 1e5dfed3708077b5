using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace KefuSync.Availability;

/// <summary>
/// The schedule as JSON: the <c>hours</c> op of the <c>settings:hours</c> channel (an agent's edit in the console, docs/protocol.md
/// §4.4) and the console's view of the schedule in force. Reading validates exactly as the options do, so a stored edit
/// always rebuilds into a schedule.
/// </summary>
internal static class HoursJson
{
    private static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string OutsideName(KefuOutsideHours outside) => outside switch
    {
        KefuOutsideHours.HideLauncher => "hide",
        KefuOutsideHours.KeepOpen => "chat",
        _ => "form",
    };

    public static bool TryParseOutside(string? name, out KefuOutsideHours outside)
    {
        (var ok, outside) = name switch
        {
            "form" => (true, KefuOutsideHours.OfflineForm),
            "hide" => (true, KefuOutsideHours.HideLauncher),
            "chat" => (true, KefuOutsideHours.KeepOpen),
            _ => (false, KefuOutsideHours.OfflineForm),
        };
        return ok;
    }

    /// <summary>Reads the schedule members of an <c>hours</c> op (<c>on</c>, <c>tz</c>, <c>weekly</c>, <c>exceptions</c>, <c>outside</c>).</summary>
    public static HoursSchedule? TryRead(ReadOnlySpan<byte> json, out string error)
    {
        error = "";
        bool? enabled = null;
        string? zone = null;
        string? outsideName = null;
        var weekly = new List<KeyValuePair<DayOfWeek, string>>();
        var exceptions = new List<(DateOnly, string, string)>();
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 6 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "An hours op must be an object.";
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "on" when reader.TokenType is JsonTokenType.True or JsonTokenType.False:
                        enabled = reader.GetBoolean();
                        break;
                    case "tz" when reader.TokenType == JsonTokenType.String:
                        zone = reader.GetString();
                        break;
                    case "outside" when reader.TokenType == JsonTokenType.String:
                        outsideName = reader.GetString();
                        break;
                    case "weekly" when reader.TokenType == JsonTokenType.StartObject:
                        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                        {
                            var day = Array.IndexOf(DayNames, reader.GetString());
                            reader.Read();
                            if (day < 0 || reader.TokenType != JsonTokenType.String)
                            {
                                error = "'weekly' maps sun..sat to a string of ranges.";
                                return null;
                            }

                            weekly.Add(new((DayOfWeek)day, reader.GetString()!));
                        }

                        break;
                    case "exceptions" when reader.TokenType == JsonTokenType.StartArray:
                        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                        {
                            string? date = null, hours = null, label = null;
                            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                            {
                                var member = reader.GetString();
                                reader.Read();
                                var value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                                {
                                    reader.Skip();
                                }

                                switch (member)
                                {
                                    case "date": date = value; break;
                                    case "hours": hours = value; break;
                                    case "name": label = value; break;
                                }
                            }

                            if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                            {
                                error = "Each exception needs 'date' as yyyy-MM-dd.";
                                return null;
                            }

                            exceptions.Add((day, hours ?? "", label ?? ""));
                        }

                        break;
                    default:
                        if (name is "on" or "tz" or "outside" or "weekly" or "exceptions")
                        {
                            error = $"'{name}' has the wrong type.";
                            return null;
                        }

                        reader.Skip();
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            error = "Malformed hours op: " + ex.Message;
            return null;
        }

        if (enabled is null || zone is null || !TryParseOutside(outsideName, out var outside))
        {
            error = "An hours op needs 'on' (boolean), 'tz' (IANA zone) and 'outside' (form, hide or chat).";
            return null;
        }

        var errors = new List<string>();
        var schedule = HoursSchedule.TryCreate(enabled.Value, zone, weekly, exceptions, outside, "", errors);
        error = string.Join(" ", errors);
        return schedule;
    }

    /// <summary>Writes the schedule's members into an open object (for the op the console builds, and the console's view).</summary>
    public static void WriteMembers(Utf8JsonWriter w, HoursSchedule schedule)
    {
        w.WriteBoolean("on"u8, schedule.Enabled);
        w.WriteString("tz"u8, schedule.Zone.Id);
        w.WriteStartObject("weekly"u8);
        for (var d = 0; d < 7; d++)
        {
            w.WriteString(DayNames[d], HoursRange.FormatList(schedule.Weekly((DayOfWeek)d)));
        }

        w.WriteEndObject();
        w.WriteStartArray("exceptions"u8);
        foreach (var (date, day) in schedule.Exceptions.OrderBy(e => e.Key))
        {
            w.WriteStartObject();
            w.WriteString("date"u8, date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            w.WriteString("hours"u8, HoursRange.FormatList(day.Ranges));
            w.WriteString("name"u8, day.Name);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("outside"u8, OutsideName(schedule.OutsideHours));
    }

    /// <summary>The stored payload of an <c>hours</c> op: always rebuilt from the validated schedule, never the client's bytes.</summary>
    public static byte[] BuildOp(HoursSchedule schedule, string authorName)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("k"u8, "hours");
            WriteMembers(w, schedule);
            w.WriteString("name"u8, authorName);
            w.WriteString("role"u8, "agent");
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The visitor's view (the <c>hours</c> member of <c>welcome</c> and the <c>hours</c> frame): open now, next change, back at, outside-hours mode.</summary>
    public static void WriteStatus(Utf8JsonWriter w, HoursStatus status, KefuOutsideHours outside)
    {
        w.WriteBoolean("open"u8, status.Open);
        if (status.NextChange is { } next)
        {
            w.WriteNumber("next"u8, next.ToUnixTimeMilliseconds());
        }

        if (status.BackAt is { } back)
        {
            w.WriteNumber("back"u8, back.ToUnixTimeMilliseconds());
        }

        w.WriteString("outside"u8, OutsideName(outside));
    }
}
