using KefuSync.Availability;

namespace KefuSync.Tests.Availability;

public sealed class HoursCalculatorTests
{
    private static HoursSchedule Schedule(string zone, Dictionary<DayOfWeek, string> weekly, params (string Date, string Hours)[] exceptions)
    {
        var errors = new List<string>();
        var schedule = HoursSchedule.TryCreate(true, zone, weekly, exceptions.Select(e => (DateOnly.Parse(e.Date, System.Globalization.CultureInfo.InvariantCulture), e.Hours, "x")), KefuOutsideHours.OfflineForm, "", errors);
        Assert.True(schedule is not null, string.Join(" ", errors));
        return schedule!;
    }

    private static Dictionary<DayOfWeek, string> Weekdays(string hours) => new()
    {
        [DayOfWeek.Monday] = hours,
        [DayOfWeek.Tuesday] = hours,
        [DayOfWeek.Wednesday] = hours,
        [DayOfWeek.Thursday] = hours,
        [DayOfWeek.Friday] = hours,
    };

    private static DateTimeOffset Utc(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Shanghai_FridayEvening_IsClosed_AndBackMonday0900Local()
    {
        var schedule = Schedule("Asia/Shanghai", Weekdays("09:00-18:00"));
        // Friday 2026-03-06 20:00 in Shanghai (UTC+8) is 12:00Z.
        var status = HoursCalculator.Evaluate(schedule, Utc("2026-03-06T12:00:00Z"));
        Assert.False(status.Open);
        Assert.Equal(Utc("2026-03-09T01:00:00Z"), status.BackAt); // Monday 09:00 +08:00
        Assert.Equal(status.BackAt, status.NextChange);
    }

    [Fact]
    public void Open_ReportsTheClosingTimeAsNextChange_AndNoBackAt()
    {
        var schedule = Schedule("Asia/Shanghai", Weekdays("09:00-12:00,13:00-18:00"));
        var status = HoursCalculator.Evaluate(schedule, Utc("2026-03-04T02:30:00Z")); // Wednesday 10:30 local
        Assert.True(status.Open);
        Assert.Equal(Utc("2026-03-04T04:00:00Z"), status.NextChange); // 12:00 local: the lunch break
        Assert.Null(status.BackAt);

        var lunch = HoursCalculator.Evaluate(schedule, Utc("2026-03-04T04:30:00Z")); // 12:30 local
        Assert.False(lunch.Open);
        Assert.Equal(Utc("2026-03-04T05:00:00Z"), lunch.BackAt); // 13:00 local, the same day
    }

    [Fact]
    public void Berlin_AcrossSpringForward_UsesTheNewOffset()
    {
        // DST starts in the EU on Sunday 2026-03-29 (02:00 CET -> 03:00 CEST).
        var schedule = Schedule("Europe/Berlin", Weekdays("09:00-17:00"));
        // Saturday 2026-03-28 12:00 CET (+01:00) = 11:00Z: back Monday 09:00 CEST (+02:00) = 07:00Z, not 08:00Z.
        var status = HoursCalculator.Evaluate(schedule, Utc("2026-03-28T11:00:00Z"));
        Assert.Equal(Utc("2026-03-30T07:00:00Z"), status.BackAt);
        // Friday before: closing at 17:00 CET = 16:00Z.
        Assert.Equal(Utc("2026-03-27T16:00:00Z"), HoursCalculator.Evaluate(schedule, Utc("2026-03-27T10:00:00Z")).NextChange);
    }

    [Fact]
    public void Berlin_OpeningInsideTheSpringGap_StartsWhenTheClocksJump()
    {
        var schedule = Schedule("Europe/Berlin", new() { [DayOfWeek.Sunday] = "02:30-04:00" });
        var status = HoursCalculator.Evaluate(schedule, Utc("2026-03-28T20:00:00Z"));
        Assert.Equal(Utc("2026-03-29T01:00:00Z"), status.BackAt); // 03:00 CEST: 02:30 never happens that night
        Assert.True(HoursCalculator.Evaluate(schedule, Utc("2026-03-29T01:30:00Z")).Open);
        Assert.Equal(Utc("2026-03-29T02:00:00Z"), HoursCalculator.Evaluate(schedule, Utc("2026-03-29T01:30:00Z")).NextChange); // 04:00 CEST
    }

    [Fact]
    public void Berlin_RangeSwallowedByTheGap_NeverOpens()
    {
        var schedule = Schedule("Europe/Berlin", new() { [DayOfWeek.Sunday] = "02:00-02:45" });
        var status = HoursCalculator.Evaluate(schedule, Utc("2026-03-28T20:00:00Z"));
        Assert.Equal(Utc("2026-04-05T00:00:00Z"), status.BackAt); // the Sunday after, 02:00 CEST
    }

    [Fact]
    public void NewYork_AcrossFallBack_AmbiguousOpeningIsTheFirstOccurrence()
    {
        // DST ends in the US on Sunday 2026-11-01 (02:00 EDT -> 01:00 EST): 01:00-02:00 local happens twice.
        var schedule = Schedule("America/New_York", new() { [DayOfWeek.Sunday] = "01:30-03:00" });
        var status = HoursCalculator.Evaluate(schedule, Utc("2026-10-31T20:00:00Z"));
        Assert.Equal(Utc("2026-11-01T05:30:00Z"), status.BackAt); // 01:30 EDT (-04:00)
        var open = HoursCalculator.Evaluate(schedule, Utc("2026-11-01T06:10:00Z")); // 01:10 EST, the second 01:10
        Assert.True(open.Open);
        Assert.Equal(Utc("2026-11-01T08:00:00Z"), open.NextChange); // 03:00 EST (-05:00): the opening lasts 2.5 hours
    }

    [Fact]
    public void NewYork_WeekAcrossSpringForward_BackAtMovesByTheOffset()
    {
        // DST starts in the US on 2026-03-08. Friday 2026-03-06 18:00 EST = 23:00Z; Monday 09:00 EDT = 13:00Z.
        var schedule = Schedule("America/New_York", Weekdays("09:00-17:00"));
        Assert.Equal(Utc("2026-03-09T13:00:00Z"), HoursCalculator.Evaluate(schedule, Utc("2026-03-06T23:00:00Z")).BackAt);
    }

    [Fact]
    public void Sydney_SouthernHemisphere_DstEndsInApril()
    {
        // Sydney leaves DST on Sunday 2026-04-05 (03:00 AEDT -> 02:00 AEST). Friday 2026-04-03 18:00 AEDT (+11) = 07:00Z.
        var schedule = Schedule("Australia/Sydney", Weekdays("09:00-17:00"));
        var status = HoursCalculator.Evaluate(schedule, Utc("2026-04-03T07:00:00Z"));
        Assert.Equal(Utc("2026-04-05T23:00:00Z"), status.BackAt); // Monday 09:00 AEST (+10)
    }

    [Fact]
    public void Holiday_ClosesItsDate_AndASpecialDayOpensASunday()
    {
        var schedule = Schedule("Asia/Shanghai", Weekdays("09:00-18:00"), ("2026-03-09", ""), ("2026-03-08", "10:00-12:00"));
        // Saturday 2026-03-07 12:00 local: Sunday is a special day (10:00), Monday a holiday.
        var status = HoursCalculator.Evaluate(schedule, Utc("2026-03-07T04:00:00Z"));
        Assert.Equal(Utc("2026-03-08T02:00:00Z"), status.BackAt);
        var afterSunday = HoursCalculator.Evaluate(schedule, Utc("2026-03-08T05:00:00Z"));
        Assert.Equal(Utc("2026-03-10T01:00:00Z"), afterSunday.BackAt); // Tuesday 09:00: Monday is closed
    }

    [Fact]
    public void RangesThatTouchAcrossMidnight_AreOneOpening()
    {
        var schedule = Schedule("UTC", new() { [DayOfWeek.Monday] = "22:00-24:00", [DayOfWeek.Tuesday] = "00:00-02:00" });
        var status = HoursCalculator.Evaluate(schedule, Utc("2026-03-02T23:00:00Z")); // Monday
        Assert.True(status.Open);
        Assert.Equal(Utc("2026-03-03T02:00:00Z"), status.NextChange);
        // Just after midnight the opening started yesterday and still runs.
        Assert.True(HoursCalculator.Evaluate(schedule, Utc("2026-03-03T00:30:00Z")).Open);
    }

    [Fact]
    public void ClosedBeyondTheLookAhead_HasNoBackAt()
    {
        var exceptions = Enumerable.Range(0, 40).Select(d => (new DateOnly(2026, 3, 1).AddDays(d).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), "")).ToArray();
        var schedule = Schedule("UTC", Weekdays("09:00-17:00"), exceptions);
        var status = HoursCalculator.Evaluate(schedule, Utc("2026-03-02T10:00:00Z"));
        Assert.False(status.Open);
        Assert.Null(status.BackAt);
        Assert.Null(status.NextChange);
    }

    [Fact]
    public void Disabled_IsAlwaysOpen()
    {
        var errors = new List<string>();
        var schedule = HoursSchedule.TryCreate(false, "UTC", [], [], KefuOutsideHours.HideLauncher, "", errors)!;
        Assert.Equal(HoursStatus.Always, HoursCalculator.Evaluate(schedule, Utc("2026-03-07T04:00:00Z")));
    }

    [Theory]
    [InlineData("09:00-18:00", true)]
    [InlineData(" 09:00 - 12:00 , 13:00-24:00 ", true)]
    [InlineData("", true)]
    [InlineData("18:00-09:00", false)]
    [InlineData("09:00-12:00,11:00-13:00", false)]
    [InlineData("9:00-18:00", false)]
    [InlineData("09:60-18:00", false)]
    [InlineData("24:00-24:00", false)]
    [InlineData("09:00-24:30", false)]
    [InlineData("09:00", false)]
    public void Ranges_Parse(string text, bool valid)
    {
        Assert.Equal(valid, HoursRange.TryParseList(text, out _, out var error));
        Assert.Equal(valid, error.Length == 0);
    }

    [Fact]
    public void UnknownTimeZone_IsAnError_ThatNamesTheSetting()
    {
        var errors = new List<string>();
        Assert.Null(HoursSchedule.FromOptions(new KefuBusinessHoursOptions { Enabled = true, TimeZone = "Mars/Olympus" }, errors));
        Assert.Contains(errors, e => e.Contains("KefuSync:BusinessHours:TimeZone", StringComparison.Ordinal));
    }
}
