using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace KefuSync.Attachments;

/// <summary>
/// <c>Attachments:UploadsPerMinute</c> per visitor and node: a fixed one-minute window per principal. Bounded: windows
/// that ended are swept when the table grows, so a stream of one-off visitors cannot grow it without end.
/// </summary>
internal sealed class UploadRateLimiter(TimeProvider time, IOptionsMonitor<KefuSyncOptions> options)
{
    private const int SweepAbove = 10_000;
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, Counter> _windows = new(StringComparer.Ordinal);

    /// <summary>Counts one upload for <paramref name="principal"/>; false (and when to retry) once the window is full.</summary>
    public bool TryAcquire(string principal, out int retryAfterSeconds)
    {
        var now = time.GetUtcNow();
        if (_windows.Count > SweepAbove)
        {
            foreach (var (key, counter) in _windows)
            {
                if (now - counter.Start >= Window)
                {
                    _windows.TryRemove(key, out _);
                }
            }
        }

        var window = _windows.GetOrAdd(principal, static (_, start) => new Counter(start), now);
        lock (window)
        {
            if (now - window.Start >= Window)
            {
                window.Start = now;
                window.Count = 0;
            }

            if (window.Count >= options.CurrentValue.Attachments.UploadsPerMinute)
            {
                retryAfterSeconds = Math.Max(1, (int)Math.Ceiling((window.Start + Window - now).TotalSeconds));
                return false;
            }

            window.Count++;
            retryAfterSeconds = 0;
            return true;
        }
    }

    private sealed class Counter(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; set; } = start;

        public int Count { get; set; }
    }
}
