namespace KefuSync.Backplane;

/// <summary>
/// Announces committed operations and presence between the nodes of one site. The in-process implementation serves
/// a single node; the Redis one (KefuSync.Redis) serves many.
/// </summary>
/// <remarks>
/// <para>Rules (checked by <c>BackplaneSpecification</c> in the KefuSync.Testing package):</para>
/// <list type="number">
/// <item>Every subscriber, including the publishing node, receives every message published after it subscribed, unless the
/// transport is down. Delivery may be lost during an outage; the backplane then raises a <see cref="BackplaneMessageKind.Reconnected"/>
/// message once it is back, and nodes repair from the store. A backplane with a bounded receive queue may also drop
/// messages when it is full; it then raises <see cref="BackplaneMessageKind.Reconnected"/> for each affected channel (or
/// for all), after the drop, so every lost op announcement is repaired.</item>
/// <item>Messages from one publisher on one channel arrive in publish order.</item>
/// <item>Payload bytes arrive unchanged.</item>
/// <item>A handler that throws does not stop delivery to other handlers or of later messages.</item>
/// </list>
/// </remarks>
public interface IBackplane
{
    /// <summary>Publishes <paramref name="message"/> to every node.</summary>
    Task PublishAsync(BackplaneMessage message, CancellationToken cancellationToken = default);

    /// <summary>Starts delivering messages to <paramref name="handler"/> until the returned handle is disposed.</summary>
    Task<IAsyncDisposable> SubscribeAsync(Func<BackplaneMessage, Task> handler, CancellationToken cancellationToken = default);
}
