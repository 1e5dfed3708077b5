namespace KefuSync.Availability;

/// <summary>
/// A validated business-hours schedule: what <see cref="KefuBusinessHoursOptions"/> configures, or what an agent saved in
/// the console. Immutable, so a node swaps the whole schedule when it changes and readers never see half of one.
/// </summary>
internal sealed class HoursSchedule
{
    private readonly HoursRange[][] _weekly; // indexed by DayOfWeek

    private HoursSchedule(bool enabled, TimeZoneInfo zone, HoursRange[][] weekly, IReadOnlyDictionary<DateOnly, HoursDay> exceptions, KefuOutsideHours outside)
    {
        Enabled = enabled;
        Zone = zone;
        _weekly = weekly;
        Exceptions = exceptions;
        OutsideHours = outside;
    }

    /// <summary>The always-open schedule (business hours off).</summary>
    public static HoursSchedule AlwaysOpen { get; } = new(false, TimeZoneInfo.Utc, [.. Enumerable.Range(0, 7).Select(_ => Array.Empty<HoursRange>())], new Dictionary<DateOnly, HoursDay>(), KefuOutsideHours.OfflineForm);

    public bool Enabled { get; }

    public TimeZoneInfo Zone { get; }

    public IReadOnlyDictionary<DateOnly, HoursDay> Exceptions { get; }

    public KefuOutsideHours OutsideHours { get; }

    public IReadOnlyList<HoursRange> Weekly(DayOfWeek day) => _weekly[(int)day];

    /// <summary>The opening ranges of a local date: its exception when it has one, else its weekday's.</summary>
    public IReadOnlyList<HoursRange> On(DateOnly date) => Exceptions.TryGetValue(date, out var day) ? day.Ranges : _weekly[(int)date.DayOfWeek];

    /// <summary>Builds a schedule; <paramref name="errors"/> gets one line per problem (named after the setting).</summary>
    public static HoursSchedule? TryCreate(bool enabled, string? timeZone, IEnumerable<KeyValuePair<DayOfWeek, string>> weekly, IEnumerable<(DateOnly Date, string Hours, string Name)> exceptions, KefuOutsideHours outside, string prefix, List<string> errors)
    {
        var before = errors.Count;
        TimeZoneInfo? zone = null;
        if (string.IsNullOrWhiteSpace(timeZone) || !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone.Trim(), out zone))
        {
            errors.Add($"{prefix}TimeZone '{timeZone}' is not a time zone id known to this machine (use an IANA id such as Asia/Shanghai).");
        }

        var days = new HoursRange[7][];
        for (var i = 0; i < 7; i++)
        {
            days[i] = [];
        }

        foreach (var (day, text) in weekly)
        {
            if (!Enum.IsDefined(day))
            {
                errors.Add($"{prefix}Weekly has an unknown day '{day}'.");
                continue;
            }

            if (!HoursRange.TryParseList(text, out var ranges, out var error))
            {
                errors.Add($"{prefix}Weekly:{day}: {error}.");
                continue;
            }

            days[(int)day] = ranges;
        }

        var dated = new Dictionary<DateOnly, HoursDay>();
        var count = 0;
        foreach (var (date, hours, name) in exceptions)
        {
            if (++count > 400)
            {
                errors.Add($"{prefix}Exceptions: at most 400 dates.");
                break;
            }

            if (!HoursRange.TryParseList(hours, out var ranges, out var error))
            {
                errors.Add($"{prefix}Exceptions:{date:yyyy-MM-dd}: {error}.");
                continue;
            }

            var label = (name ?? "").Trim();
            if (!dated.TryAdd(date, new HoursDay(ranges, label.Length <= 80 ? label : label[..80])))
            {
                errors.Add($"{prefix}Exceptions lists {date:yyyy-MM-dd} twice.");
            }
        }

        if (!Enum.IsDefined(outside))
        {
            errors.Add($"{prefix}OutsideHours must be OfflineForm, HideLauncher or KeepOpen.");
        }

        return errors.Count > before ? null : new HoursSchedule(enabled, zone!, days, dated, outside);
    }

    public static HoursSchedule? FromOptions(KefuBusinessHoursOptions options, List<string> errors)
        => TryCreate(options.Enabled, options.TimeZone, options.Weekly, options.Exceptions.Select(e => (e.Date, e.Hours, e.Name)), options.OutsideHours, "KefuSync:BusinessHours:", errors);
}
