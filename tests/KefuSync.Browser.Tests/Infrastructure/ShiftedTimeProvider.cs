namespace KefuSync.Browser.Tests.Infrastructure;

/// <summary>
/// The system clock moved to another date: <see cref="GetUtcNow"/> is shifted, timers and timestamps are the system's, so
/// the site runs normally (heartbeats, sweeps, timeouts) while business hours see the chosen date. The browser gets the
/// same instant with Playwright's clock (<c>Clock.SetFixedTimeAsync</c>).
/// </summary>
internal sealed class ShiftedTimeProvider(DateTimeOffset now) : TimeProvider
{
    private readonly TimeSpan _shift = now - System.GetUtcNow();

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + _shift;
}
