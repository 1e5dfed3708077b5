using System.Globalization;

namespace KefuSync.Availability;

/// <summary>One opening interval of a local day: <c>[Start, End)</c>, with <c>End</c> up to 24:00.</summary>
internal readonly record struct HoursRange(TimeSpan Start, TimeSpan End)
{
    private static readonly TimeSpan Day = TimeSpan.FromHours(24);

    public override string ToString() => $"{Format(Start)}-{Format(End)}";

    private static string Format(TimeSpan t) => t == Day ? "24:00" : t.ToString(@"hh\:mm", CultureInfo.InvariantCulture);

    /// <summary>
    /// Parses <c>HH:mm-HH:mm[,HH:mm-HH:mm...]</c> (whitespace ignored; empty: closed). Ranges must be ascending and must not
    /// overlap; an end of <c>24:00</c> closes the day, and a range never crosses midnight (split it over two days: the two
    /// parts join into one opening).
    /// </summary>
    public static bool TryParseList(string? text, out HoursRange[] ranges, out string error)
    {
        ranges = [];
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length > 12)
        {
            error = "at most 12 ranges a day";
            return false;
        }

        var list = new HoursRange[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            var dash = parts[i].IndexOf('-', StringComparison.Ordinal);
            if (dash < 0 || !TryParseTime(parts[i][..dash].Trim(), out var start) || !TryParseTime(parts[i][(dash + 1)..].Trim(), out var end))
            {
                error = $"'{parts[i]}' is not a range like 09:00-18:00";
                return false;
            }

            if (start >= end || start == Day)
            {
                error = $"'{parts[i]}' ends before it starts (a range cannot cross midnight; split it over two days)";
                return false;
            }

            if (i > 0 && start < list[i - 1].End)
            {
                error = $"'{parts[i]}' overlaps or precedes the range before it";
                return false;
            }

            list[i] = new HoursRange(start, end);
        }

        ranges = list;
        return true;
    }

    public static string FormatList(IReadOnlyList<HoursRange> ranges) => string.Join(',', ranges);

    private static bool TryParseTime(string text, out TimeSpan time)
    {
        time = default;
        if (text.Length != 5 || text[2] != ':' || !int.TryParse(text.AsSpan(0, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var h)
            || !int.TryParse(text.AsSpan(3, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var m) || m > 59 || h > 24 || (h == 24 && m != 0))
        {
            return false;
        }

        time = new TimeSpan(h, m, 0);
        return true;
    }
}
