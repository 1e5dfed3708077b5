namespace KefuSync;

/// <summary>One date whose hours differ from the weekly schedule: a holiday (closed) or a special day.</summary>
public sealed class KefuHoursException
{
    /// <summary>The date, in the schedule's time zone (configuration: <c>"2026-12-25"</c>).</summary>
    public DateOnly Date { get; set; }

    /// <summary>The hours of that date, as in <see cref="KefuBusinessHoursOptions.Weekly"/>; empty: closed all day.</summary>
    public string Hours { get; set; } = "";

    /// <summary>A label for the console (e.g. <c>Christmas</c>); never shown to visitors.</summary>
    public string Name { get; set; } = "";
}
