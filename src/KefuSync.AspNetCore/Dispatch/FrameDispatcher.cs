using KefuSync.Presence;
using KefuSync.Protocol;
using KefuSync.Sync;
using Microsoft.Extensions.Options;

namespace KefuSync.Dispatch;

/// <summary>
/// Reads the frames of one connection (docs/protocol.md §2.1), whatever transport carries them, and hands each to the
/// handler of its type, as SignalR's <c>DefaultHubDispatcher</c> does: the rate limit, the parse and the handshake gate
/// are here; what a frame does is in its <see cref="IFrameHandler"/>. Frames of a connection are handled one at a
/// time, in order.
/// </summary>
internal sealed class FrameDispatcher
{
    private readonly IFrameHandler?[] _handlers;
    private readonly HelloHandler _hello;
    private readonly FrameReplies _replies;
    private readonly SubscriberRegistry _subscribers;
    private readonly PresenceTracker _presence;
    private readonly IOptionsMonitor<KefuSyncOptions> _options;

    public FrameDispatcher(IEnumerable<IFrameHandler> handlers, HelloHandler hello, FrameReplies replies, SubscriberRegistry subscribers, PresenceTracker presence, IOptionsMonitor<KefuSyncOptions> options)
    {
        var all = handlers.ToArray();
        _handlers = new IFrameHandler?[all.Select(h => (int)h.Type + 1).DefaultIfEmpty(0).Max()];
        foreach (var handler in all)
        {
            _handlers[(int)handler.Type] = _handlers[(int)handler.Type] is null
                ? handler
                : throw new InvalidOperationException($"Two handlers for frame type {handler.Type}; register one per type.");
        }

        (_hello, _replies, _subscribers, _presence, _options) = (hello, replies, subscribers, presence, options);
    }

    public async Task HandleAsync(ConnectionContext connection, ReadOnlyMemory<byte> utf8, CancellationToken cancellationToken)
    {
        var limits = _options.CurrentValue.Limits;
        if (!connection.Rate.TryTake())
        {
            if (++connection.RefusedInARow >= limits.FloodCloseAfter)
            {
                connection.Close(CloseCodes.Flood, "too many frames");
                return;
            }

            _replies.Error(connection, ErrorCodes.RateLimited, $"More than {limits.FramesPerSecond} frames per second; slow down.");
            return;
        }

        connection.RefusedInARow = 0;
        if (!FrameParser.TryParse(utf8, out var frame, out var parseError, connection.Strings))
        {
            _replies.Error(connection, ErrorCodes.BadFrame, parseError!);
            return;
        }

        if (connection.Principal is null)
        {
            if (frame.Type != FrameType.Hello)
            {
                _replies.Error(connection, ErrorCodes.NotReady, "The first frame must be 'hello'.");
                connection.Close(CloseCodes.ProtocolError, "hello expected");
                return;
            }

            await _hello.HandleAsync(connection, frame, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (frame.Type == FrameType.Hello)
        {
            _replies.Error(connection, ErrorCodes.BadFrame, "'hello' was already received.");
            return;
        }

        var type = (int)frame.Type;
        if ((uint)type < (uint)_handlers.Length && _handlers[type] is { } handler)
        {
            await handler.HandleAsync(connection, frame, cancellationToken).ConfigureAwait(false);
            return;
        }

        _replies.Error(connection, ErrorCodes.UnknownType, $"Unknown frame type '{Clip(frame.TypeName)}'.");
    }

    /// <summary>The connection is gone: drop its subscriptions and presence at once.</summary>
    public void Disconnected(ConnectionContext connection)
    {
        foreach (var subscription in connection.SubscriptionsSnapshot())
        {
            _subscribers.Remove(subscription);
        }

        if (connection.Principal is not null)
        {
            _presence.RemoveAll(connection, client: null);
        }
    }

    private static string Clip(string? value) => value is null ? "" : value.Length <= 32 ? value : value[..32];
}
