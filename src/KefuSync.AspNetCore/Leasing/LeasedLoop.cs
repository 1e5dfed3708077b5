using KefuSync.Conversations;

namespace KefuSync.Leasing;

/// <summary>
/// The loop of an inbox reader: a step at once while there is more to do, else a wait for this node's next inbox
/// commit (<see cref="InboxWakeup"/>) or the poll interval (other nodes' commits), until the host stops.
/// </summary>
internal static class LeasedLoop
{
    /// <summary>Runs <paramref name="step"/> until <paramref name="stoppingToken"/> is cancelled.</summary>
    /// <param name="wakeup">This node's inbox commits.</param>
    /// <param name="pollInterval">The longest wait between two steps when there is nothing to do.</param>
    /// <param name="time">The clock the wait is measured on.</param>
    /// <param name="step">One step; true when there may be more to do at once.</param>
    /// <param name="failed">A step that threw: logged by the reader, and the loop goes on at the next wake.</param>
    /// <param name="stoppingToken">The host stopping.</param>
    public static async Task RunAsync(InboxWakeup wakeup, TimeSpan pollInterval, TimeProvider time, Func<CancellationToken, Task<bool>> step, Action<Exception> failed, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var wake = wakeup.Next; // taken before looking for work, so no pulse is missed
            var more = false;
            try
            {
                more = await step(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failed(ex);
            }

            if (!more)
            {
                // The poll's timer is cancelled when a wakeup comes first, so waiting leaves no timer behind.
                using var poll = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                await Task.WhenAny(wake, Task.Delay(pollInterval, time, poll.Token)).ConfigureAwait(false);
                await poll.CancelAsync().ConfigureAwait(false);
            }
        }
    }
}
