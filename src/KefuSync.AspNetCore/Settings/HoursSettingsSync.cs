using KefuSync.Availability;
using KefuSync.Backplane;
using KefuSync.Protocol;
using KefuSync.Stores;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KefuSync.Settings;

/// <summary>
/// Keeps every node's <see cref="BusinessHours"/> on the last op of <c>settings:hours</c>. Read from the store once the host started,
/// when the backplane announces a new op (or reconnects), and once a minute, since an announcement may be lost: only
/// the head is compared, and only the last op is read, since the last op counts. The node that commits an edit applies it
/// at once (<see cref="Saved"/>).
/// </summary>
internal sealed partial class HoursSettingsSync(IOpStore store, IBackplane backplane, BusinessHours hours, TimeProvider time, ILogger<HoursSettingsSync> logger, IHostApplicationLifetime? lifetime = null) : IHostedService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private long _applied; // the revision of the op in force (0: the options)
    private IAsyncDisposable? _subscription;
    private ITimer? _timer;
    private int _stopped;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = await backplane.SubscribeAsync(OnMessageAsync, cancellationToken).ConfigureAwait(false);
        // The first read waits for the host to have started: a store's own hosted service (the EF Core schema) may start
        // after this one. Until then the options apply, as they do on a store without edits.
        // (Without a host, as in a bare service provider, at once.)
        if (lifetime is null)
        {
            _ = RefreshAsync(_stopping.Token);
        }
        else
        {
            lifetime.ApplicationStarted.Register(() => _ = RefreshAsync(_stopping.Token));
        }

        _timer = time.CreateTimer(_ => _ = RefreshAsync(_stopping.Token), null, Interval, Interval);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Not disposable: the host stops every hosted service, and this is where it lets go of the timer and the backplane.
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }

        if (_subscription is not null)
        {
            await _subscription.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>This node committed the op at <paramref name="revision"/>.</summary>
    public void Saved(long revision, HoursSchedule? schedule)
    {
        _gate.Wait();
        try
        {
            ApplyLocked(revision, schedule);
        }
        finally
        {
            _gate.Release();
        }
    }

    private Task OnMessageAsync(BackplaneMessage message) => message.Kind switch
    {
        BackplaneMessageKind.Op when message.Channel == ChannelName.HoursSettings.Value && message.Revision > Volatile.Read(ref _applied) => RefreshAsync(_stopping.Token),
        BackplaneMessageKind.Reconnected => RefreshAsync(_stopping.Token),
        _ => Task.CompletedTask,
    };

    /// <summary>Reads the head and, when it moved, the op there. A store failure keeps the schedule in force until the next try.</summary>
    internal async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var channel = ChannelName.HoursSettings.Value;
        try
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        try
        {
            var head = await store.GetRevisionAsync(channel, cancellationToken).ConfigureAwait(false);
            if (head <= _applied)
            {
                return;
            }

            var last = await store.ReadAsync(channel, head - 1, 1, cancellationToken).ConfigureAwait(false);
            if (last.Count == 0)
            {
                return;
            }

            var payload = last[0].Payload.Span;
            switch (OpKind.Of(payload))
            {
                case "reset":
                    ApplyLocked(last[0].Revision, null);
                    break;
                case "hours" when HoursJson.TryRead(payload, out var error) is { } schedule:
                    ApplyLocked(last[0].Revision, schedule);
                    break;
                default:
                    // Written by the server from a validated schedule, so only a store edited by hand gets here.
                    Log.Unreadable(logger, last[0].Revision);
                    Volatile.Write(ref _applied, last[0].Revision);
                    break;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Log.RefreshFailed(logger, ex);
        }
        finally
        {
            _gate.Release();
        }
    }

    private void ApplyLocked(long revision, HoursSchedule? schedule)
    {
        if (revision <= _applied)
        {
            return;
        }

        Volatile.Write(ref _applied, revision);
        hours.Apply(schedule);
        Log.Applied(logger, revision, schedule is null ? "the options" : "an agent's edit");
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2601, EventName = "HoursApplied", Level = LogLevel.Information, Message = "Business hours from settings revision {Revision} apply: {Source}.")]
        public static partial void Applied(ILogger logger, long revision, string source);

        [LoggerMessage(EventId = 2602, EventName = "HoursRefreshFailed", Level = LogLevel.Warning, Message = "Reading the business hours' settings failed; the schedule in force stays until the next try.")]
        public static partial void RefreshFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 2603, EventName = "HoursUnreadable", Level = LogLevel.Error, Message = "The business hours' settings op at revision {Revision} cannot be read; it is ignored.")]
        public static partial void Unreadable(ILogger logger, long revision);
    }
}
