using Microsoft.Extensions.Logging;

namespace KefuSync.Sync;

/// <summary>Calls the registered <see cref="IKefuSyncObserver"/>s off the submit path.</summary>
internal sealed partial class KefuObservers(IEnumerable<IKefuSyncObserver> observers, ILogger<KefuObservers> logger)
{
    private readonly IKefuSyncObserver[] _observers = [.. observers];

    /// <summary>False when no observer is registered: callers then skip building the notification.</summary>
    public bool Any => _observers.Length > 0;

    public void Notify(KefuCommittedOp op)
    {
        if (_observers.Length == 0)
        {
            return; // the common case: no task, no allocation
        }

        _ = Task.Run(() => NotifyAsync(op));
    }

    private async Task NotifyAsync(KefuCommittedOp op)
    {
        foreach (var observer in _observers)
        {
            try
            {
                await observer.OnCommittedAsync(op, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Log.ObserverFailed(logger, observer.GetType().Name, op.Channel, op.Revision, ex);
            }
        }
    }
}
