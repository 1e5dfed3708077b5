using Microsoft.Extensions.Options;

namespace KefuSync.Availability;

/// <summary>
/// The schedule in force on this node and its status now. The schedule is the options' until an agent saves one in the
/// console (the <c>settings:hours</c> channel, folded on every node); every instant comes from the
/// <see cref="TimeProvider"/>. The status is cached until its next change, so a welcome costs a comparison, not a walk
/// over the calendar.
/// </summary>
internal sealed class BusinessHours
{
    private readonly TimeProvider _time;
    private readonly HoursSchedule _configured;
    private HoursSchedule? _saved; // an agent's edit, or null: the options apply
    private Cached? _cache;

    public BusinessHours(IOptionsMonitor<KefuSyncOptions> options, TimeProvider time)
    {
        _time = time;
        var errors = new List<string>();
        // Validated at startup (KefuSyncOptionsValidator), so this cannot fail in a running host.
        _configured = HoursSchedule.FromOptions(options.CurrentValue.BusinessHours, errors)
            ?? throw new InvalidOperationException(string.Join(" ", errors));
    }

    /// <summary>Raised after the schedule in force changed (an edit from any node); nodes push the new status to visitors.</summary>
    public event Action? Changed;

    public HoursSchedule Schedule => Volatile.Read(ref _saved) ?? _configured;

    /// <summary>Whether the schedule in force is an agent's edit rather than the options.</summary>
    public bool IsEdited => Volatile.Read(ref _saved) is not null;

    public HoursSchedule Configured => _configured;

    /// <summary>Replaces the schedule in force (null: back to the options).</summary>
    public void Apply(HoursSchedule? saved)
    {
        var before = Schedule;
        Volatile.Write(ref _saved, saved);
        Volatile.Write(ref _cache, null);
        if (!ReferenceEquals(before, Schedule))
        {
            Changed?.Invoke();
        }
    }

    public HoursStatus Now() => At(_time.GetUtcNow());

    public HoursStatus At(DateTimeOffset now)
    {
        var schedule = Schedule;
        var cache = Volatile.Read(ref _cache);
        if (cache is not null && ReferenceEquals(cache.Schedule, schedule) && now >= cache.From && (cache.Status.NextChange is not { } next || now < next) && now < cache.From.AddHours(1))
        {
            return cache.Status;
        }

        var status = HoursCalculator.Evaluate(schedule, now);
        Volatile.Write(ref _cache, new Cached(schedule, now, status));
        return status;
    }

    private sealed record Cached(HoursSchedule Schedule, DateTimeOffset From, HoursStatus Status);
}
