namespace KefuSync;

/// <summary>
/// When agents are at work: a weekly schedule in one IANA time zone, plus dated exceptions (holidays, special days).
/// Outside these hours the widget says when agents are back, in the visitor's own time zone and language, and does what
/// <see cref="OutsideHours"/> says. These are the defaults: an agent's edit in the console replaces them for every node
/// (stored in the <c>settings:hours</c> channel) until the console resets it.
/// </summary>
public sealed class KefuBusinessHoursOptions
{
    /// <summary>Whether a schedule applies. When false (the default) chat is always in hours, and only who is online counts.</summary>
    public bool Enabled { get; set; }

    /// <summary>IANA time zone of the schedule, e.g. <c>Asia/Shanghai</c> or <c>Europe/Berlin</c>. Default <c>UTC</c>.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>
    /// Opening hours per day of the week, as <c>HH:mm-HH:mm</c> ranges separated by commas (<c>09:00-12:00,13:00-18:00</c>;
    /// <c>24:00</c> ends a day). A day that is missing or empty is closed. Configuration:
    /// <c>"Weekly": { "Monday": "09:00-18:00", "Saturday": "10:00-14:00" }</c>.
    /// </summary>
    public IDictionary<DayOfWeek, string> Weekly { get; set; } = new Dictionary<DayOfWeek, string>();

    /// <summary>Dated exceptions that replace the weekly hours of their date (an empty <see cref="KefuHoursException.Hours"/> closes it).</summary>
    public IList<KefuHoursException> Exceptions { get; set; } = [];

    /// <summary>
    /// Whether agents may edit the schedule in the console (its Hours panel). Default true. When false the console shows
    /// the schedule read-only and the server refuses an edit with <c>forbidden</c>; an edit saved before still applies
    /// until an agent resets it, so set it false only after resetting, or start from a store without edits.
    /// </summary>
    public bool ConsoleEditing { get; set; } = true;

    /// <summary>What the widget does outside business hours. Default <see cref="KefuOutsideHours.OfflineForm"/>.</summary>
    public KefuOutsideHours OutsideHours { get; set; } = KefuOutsideHours.OfflineForm;
}
