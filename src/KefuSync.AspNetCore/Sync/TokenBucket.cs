namespace KefuSync.Sync;

/// <summary>
/// Per-connection rate limiter: <c>rate</c> tokens per second, up to <c>burst</c>. Called once per received frame by
/// the connection's single reader, so it needs no lock.
/// </summary>
internal sealed class TokenBucket(int rate, int burst, TimeProvider time)
{
    private double _tokens = burst;
    private long _last = time.GetTimestamp();

    public bool TryTake()
    {
        var now = time.GetTimestamp();
        var elapsed = time.GetElapsedTime(_last, now).TotalSeconds;
        _last = now;
        _tokens = Math.Min(burst, _tokens + (elapsed * rate));
        if (_tokens < 1)
        {
            return false;
        }

        _tokens -= 1;
        return true;
    }
}
