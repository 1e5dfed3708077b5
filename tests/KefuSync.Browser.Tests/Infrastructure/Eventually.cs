namespace KefuSync.Browser.Tests.Infrastructure;

/// <summary>Bounded polling of server-side state (browser-side state is awaited with Playwright's Expect).</summary>
internal static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> every 50 ms until it holds, or fails describing <paramref name="what"/>.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, Func<string> what, int timeoutMs = 20000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"Timed out after {timeoutMs} ms waiting for: {what()}");
            }

            await Task.Delay(50);
        }
    }

    public static Task TrueAsync(Func<Task<bool>> condition, string what, int timeoutMs = 20000) => TrueAsync(condition, () => what, timeoutMs);

    public static Task TrueAsync(Func<bool> condition, string what, int timeoutMs = 20000) => TrueAsync(() => Task.FromResult(condition()), () => what, timeoutMs);
}
