namespace KefuSync.Availability;

/// <summary>
/// Evaluates a schedule at an instant. Pure: the instant comes from the caller's <see cref="TimeProvider"/>, so tests run it
/// on a fake clock across DST changes.
/// </summary>
/// <remarks>
/// Local times become instants in the schedule's zone with two rules for the hours a DST change makes odd:
/// <list type="bullet">
/// <item>a local time that does not exist (spring forward: 02:30 in New York on the second Sunday of March) is the instant
/// the clocks jump to it (03:00 local), so an opening inside the gap starts when the gap ends;</item>
/// <item>a local time that occurs twice (fall back: 01:30) is its first occurrence (the daylight offset).</item>
/// </list>
/// Ranges that touch (Monday 22:00-24:00 and Tuesday 00:00-02:00) form one opening, so the next change is 02:00, not
/// midnight. The look-ahead is <see cref="LookAheadDays"/> days: a schedule closed for longer reports no <c>BackAt</c>.
/// </remarks>
internal static class HoursCalculator
{
    public const int LookAheadDays = 21;

    public static HoursStatus Evaluate(HoursSchedule schedule, DateTimeOffset now)
    {
        if (!schedule.Enabled)
        {
            return HoursStatus.Always;
        }

        var zone = schedule.Zone;
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        DateTimeOffset? openStart = null;
        DateTimeOffset openEnd = default;
        // Walk openings in order, from yesterday (a range that started then may still run) to the look-ahead, merging
        // touching ranges; the first merged opening that ends after now decides.
        for (var d = -1; d <= LookAheadDays; d++)
        {
            var date = today.AddDays(d);
            foreach (var range in schedule.On(date))
            {
                var start = ToInstant(zone, date, range.Start);
                var end = ToInstant(zone, date, range.End);
                if (end <= start)
                {
                    continue; // a range swallowed by a DST gap (02:00-02:30 on spring-forward day) never opens
                }

                if (openStart is not null && start <= openEnd)
                {
                    openEnd = end > openEnd ? end : openEnd; // touches the opening before: one opening
                    continue;
                }

                if (openStart is not null && openEnd > now)
                {
                    return Decide(openStart.Value, openEnd, now);
                }

                openStart = start;
                openEnd = end;
            }
        }

        return openStart is not null && openEnd > now ? Decide(openStart.Value, openEnd, now) : new HoursStatus(false, null, null);
    }

    private static HoursStatus Decide(DateTimeOffset start, DateTimeOffset end, DateTimeOffset now)
        => start <= now ? new HoursStatus(true, end, null) : new HoursStatus(false, start, start);

    /// <summary>The instant of a local date and time in <paramref name="zone"/> (see the remarks for DST gaps and overlaps).</summary>
    public static DateTimeOffset ToInstant(TimeZoneInfo zone, DateOnly date, TimeSpan time)
    {
        var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified) + time;
        if (zone.IsInvalidTime(local))
        {
            // In a spring-forward gap: move to where the clocks jump to (gaps are whole minutes in every zone in use).
            var probe = local;
            for (var i = 0; i < 24 * 60 && zone.IsInvalidTime(probe); i++)
            {
                probe = probe.AddMinutes(1);
            }

            return new DateTimeOffset(probe, zone.GetUtcOffset(probe)).ToUniversalTime();
        }

        if (zone.IsAmbiguousTime(local))
        {
            var offsets = zone.GetAmbiguousTimeOffsets(local);
            return new DateTimeOffset(local, offsets.Max()).ToUniversalTime(); // the first occurrence has the larger offset
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }
}
