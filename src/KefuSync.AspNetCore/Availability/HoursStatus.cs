namespace KefuSync.Availability;

/// <summary>Whether it is business hours at an instant, and when that changes.</summary>
/// <param name="Open">Inside business hours (always true when the schedule is off).</param>
/// <param name="NextChange">When <paramref name="Open"/> flips next; null when it does not within the look-ahead.</param>
/// <param name="BackAt">Outside hours: when the next opening starts; null when none is scheduled within the look-ahead.</param>
internal readonly record struct HoursStatus(bool Open, DateTimeOffset? NextChange, DateTimeOffset? BackAt)
{
    public static HoursStatus Always => new(true, null, null);
}
