namespace KefuSync.Availability;

/// <summary>The hours of one dated exception and its console label.</summary>
internal sealed record HoursDay(HoursRange[] Ranges, string Name);
