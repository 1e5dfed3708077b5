using KefuSync.Availability;

namespace KefuSync.Settings;

/// <summary>An op of the <c>settings:hours</c> channel: a new schedule, or (null) back to the options.</summary>
/// <param name="Schedule">The schedule an agent saved, validated as the options are; null for a reset.</param>
internal readonly record struct HoursOp(HoursSchedule? Schedule);
