namespace KefuSync.Browser.Tests.Infrastructure;

/// <summary>
/// The system clock moved to another date: <see cref="GetUtcNow"/> is shifted, timers and timestamps are the system's, so
/// the site runs normally (heartbeats, sweeps, timeouts) while business hours see the chosen date. The browser gets the
/// same instant with Playwright's clock (<c>Clock.SetFixedTimeAsync</c>). <see cref="Advance"/> jumps the shifted clock
/// forward, so a delay (an unread reply's email, a link's expiry) passes without the test waiting for it.
/// </summary>
internal sealed class ShiftedTimeProvider(DateTimeOffset now) : TimeProvider
{
    private long _shiftTicks = (now - System.GetUtcNow()).Ticks;

    /// <summary>A clock that starts at the system's time (only <see cref="Advance"/> moves it away).</summary>
    public ShiftedTimeProvider()
        : this(System.GetUtcNow())
    {
    }

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _shiftTicks));

    /// <summary>Moves the clock forward by <paramref name="by"/> (it keeps running from there).</summary>
    public void Advance(TimeSpan by) => Interlocked.Add(ref _shiftTicks, by.Ticks);
}
