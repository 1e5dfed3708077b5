using KefuSync.Availability;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace KefuSync.Tests.Availability;

/// <summary>The node's view of the schedule: every instant from the TimeProvider, driven here by a fake clock.</summary>
public sealed class BusinessHoursTests
{
    private static BusinessHours Create(FakeTimeProvider time, KefuBusinessHoursOptions hours)
    {
        var options = new KefuSyncOptions { BusinessHours = hours };
        return new BusinessHours(new StaticOptions(options), time);
    }

    [Fact]
    public void Status_FollowsTheFakeClock_AcrossOpeningAndClosing_AndADstChange()
    {
        // Berlin, weekdays 09:00-17:00; start Friday 2026-03-27 16:30 CET (15:30Z), DST starts on Sunday.
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-27T15:30:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var hours = Create(time, new KefuBusinessHoursOptions
        {
            Enabled = true,
            TimeZone = "Europe/Berlin",
            Weekly = new Dictionary<DayOfWeek, string> { [DayOfWeek.Monday] = "09:00-17:00", [DayOfWeek.Friday] = "09:00-17:00" },
        });

        Assert.True(hours.Now().Open);
        time.Advance(TimeSpan.FromMinutes(29));
        Assert.True(hours.Now().Open); // 16:59: the cached status is still right
        time.Advance(TimeSpan.FromMinutes(1));
        var closed = hours.Now(); // 17:00 CET: closed, back Monday 09:00 CEST
        Assert.False(closed.Open);
        Assert.Equal(DateTimeOffset.Parse("2026-03-30T07:00:00Z", System.Globalization.CultureInfo.InvariantCulture), closed.BackAt);
        time.SetUtcNow(closed.BackAt!.Value.AddTicks(-1));
        Assert.False(hours.Now().Open);
        time.Advance(TimeSpan.FromTicks(1));
        Assert.True(hours.Now().Open);
    }

    [Fact]
    public void Apply_ReplacesTheSchedule_RaisesChanged_AndNullGoesBackToTheOptions()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-04T03:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var hours = Create(time, new KefuBusinessHoursOptions());
        Assert.True(hours.Now().Open); // off: always in hours
        var changes = 0;
        hours.Changed += () => changes++;
        var errors = new List<string>();
        var saved = HoursSchedule.TryCreate(true, "Asia/Shanghai", [new(DayOfWeek.Wednesday, "14:00-18:00")], [], KefuOutsideHours.HideLauncher, "", errors)!;
        hours.Apply(saved);
        Assert.Equal(1, changes);
        Assert.True(hours.IsEdited);
        var status = hours.Now();
        Assert.False(status.Open); // 11:00 local
        Assert.Equal(DateTimeOffset.Parse("2026-03-04T06:00:00Z", System.Globalization.CultureInfo.InvariantCulture), status.BackAt);
        hours.Apply(null);
        Assert.Equal(2, changes);
        Assert.False(hours.IsEdited);
        Assert.True(hours.Now().Open);
    }

    private sealed class StaticOptions(KefuSyncOptions value) : IOptionsMonitor<KefuSyncOptions>
    {
        public KefuSyncOptions CurrentValue => value;

        public KefuSyncOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<KefuSyncOptions, string?> listener) => null;
    }
}
