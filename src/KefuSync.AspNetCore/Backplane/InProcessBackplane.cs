namespace KefuSync.Backplane;

/// <summary>The single-node backplane: delivers each published message to this process's handlers, synchronously and in order.</summary>
internal sealed class InProcessBackplane : IBackplane
{
    private readonly Lock _gate = new();
    private Func<BackplaneMessage, Task>[] _handlers = [];

    public async Task PublishAsync(BackplaneMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        // Copy-on-write array: publishing reads a stable snapshot without taking the lock.
        foreach (var handler in Volatile.Read(ref _handlers))
        {
            try
            {
                await handler(message).ConfigureAwait(false);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // Contract rule 4: a failing handler must not block delivery to the others. Handlers log their own failures.
                continue;
            }
        }
    }

    public Task<IAsyncDisposable> SubscribeAsync(Func<BackplaneMessage, Task> handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate)
        {
            _handlers = [.. _handlers, handler];
        }

        return Task.FromResult<IAsyncDisposable>(new Subscription(this, handler));
    }

    private void Remove(Func<BackplaneMessage, Task> handler)
    {
        lock (_gate)
        {
            _handlers = Array.FindAll(_handlers, h => h != handler);
        }
    }

    private sealed class Subscription(InProcessBackplane owner, Func<BackplaneMessage, Task> handler) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            owner.Remove(handler);
            return ValueTask.CompletedTask;
        }
    }
}
