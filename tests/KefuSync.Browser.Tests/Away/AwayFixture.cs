using KefuSync.Browser.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace KefuSync.Browser.Tests.Away;

/// <summary>
/// A site with business hours in Shanghai (weekdays 09:00-18:00) whose clock reads Friday 2026-03-06 20:00 there
/// (12:00Z), and browser contexts in a chosen time zone whose clock reads the same instant. Agents are back on Monday
/// 2026-03-09 09:00 Shanghai = 01:00Z: Monday 02:00 in Berlin, Sunday 21:00 in New York (already on summer time).
/// </summary>
public abstract class AwayTest(BrowserFixture fixture) : BrowserTest(fixture)
{
    public static readonly DateTimeOffset FridayEveningShanghai = new(2026, 3, 6, 12, 0, 0, TimeSpan.Zero);

    private readonly List<IBrowserContext> _zoned = [];

    protected abstract KefuOutsideHours Outside { get; }

    protected virtual KefuOfflineEmail Ask => KefuOfflineEmail.Optional;

    protected virtual void Configure(KefuSyncOptions o)
    {
    }

    protected override SiteHostOptions SiteOptions() => new()
    {
        Services = s => s.AddSingleton<TimeProvider>(new ShiftedTimeProvider(FridayEveningShanghai)),
        Configure = o =>
        {
            o.BusinessHours.Enabled = true;
            o.BusinessHours.TimeZone = "Asia/Shanghai";
            foreach (var day in new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday })
            {
                o.BusinessHours.Weekly[day] = "09:00-18:00";
            }

            o.BusinessHours.OutsideHours = Outside;
            o.Widget.OfflineEmail = Ask;
            Configure(o);
        },
    };

    /// <summary>A context whose browser lives in <paramref name="timeZone"/>, with its clock at the site's instant.</summary>
    protected async Task<IBrowserContext> ZonedContextAsync(string timeZone, string locale, int width = 1280, int height = 800, bool mobile = false)
    {
        var context = await Fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Site.BaseUrl,
            TimezoneId = timeZone,
            Locale = locale,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            IsMobile = mobile,
            HasTouch = mobile,
            DeviceScaleFactor = mobile ? 2 : 1,
        });
        _zoned.Add(context);
        await context.Clock.SetFixedTimeAsync(FridayEveningShanghai.UtcDateTime);
        return context;
    }

    public override async Task DisposeAsync()
    {
        foreach (var context in _zoned)
        {
            await context.CloseAsync();
        }

        await base.DisposeAsync();
    }
}
