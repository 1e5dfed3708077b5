using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text.Json;
using KefuSync.Backplane;
using KefuSync.Sync;
using Microsoft.Extensions.Logging;

namespace KefuSync.Transport;

/// <summary>
/// Requests and replies between nodes for fallback sessions, over the backplane (<see cref="BackplaneMessageKind.Session"/>):
/// a node that gets a <c>send</c>, an event stream or a poll for a session another node holds asks that node, which
/// answers through the same backplane. No sticky sessions are needed, and no shared session store: the session stays
/// where its connection context is (docs/protocol.md §1.2).
/// </summary>
/// <remarks>
/// Messages for a node travel on the backplane channel <c>fallback:{node}</c>, so one asker's requests reach the holder in
/// order (the backplane keeps one publisher's order per channel). A request that gets no answer in time (the holder is
/// gone, or the backplane lost the message) fails as unavailable; the client connects again, and its outbox resends.
/// Payload: header length (int32, big-endian) | header (<see cref="RelayEnvelope"/> as JSON) | body.
/// <para>The relay holds its own backplane subscription, made before this node opens a session or asks another node,
/// so neither a request for a session it holds nor a reply it waits for can arrive before it listens.</para>
/// </remarks>
internal sealed partial class SessionRelay(IBackplane backplane, NodeIdentity node, TimeProvider time, ILogger<SessionRelay> logger) : IAsyncDisposable
{
    private const string ChannelPrefix = "fallback:";

    // How long a request waits for the subscription to become live; past it the request goes on (and may time out).
    private static readonly TimeSpan ListenWait = TimeSpan.FromSeconds(3);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<RelayMessage>> _pending = new(StringComparer.Ordinal);
    private readonly string _inbox = ChannelPrefix + node.Id;
    private readonly Lock _gate = new();
    private Task<IAsyncDisposable>? _subscription;
    private Action<RelayMessage>? _onRequest;

    public string NodeId => node.Id;

    /// <summary>
    /// Listens for requests (handed to <paramref name="onRequest"/>) and replies, once; waits a little for the subscription
    /// to be live. A backplane that is down is logged and tried again with the next call: this node's own sessions work.
    /// </summary>
    public async Task ListenAsync(Action<RelayMessage> onRequest, CancellationToken cancellationToken)
    {
        Task<IAsyncDisposable> subscription;
        lock (_gate)
        {
            _onRequest ??= onRequest;
            if (_subscription is null || _subscription.IsFaulted || _subscription.IsCanceled)
            {
                _subscription = backplane.SubscribeAsync(OnMessageAsync, CancellationToken.None);
            }

            subscription = _subscription;
        }

        if (subscription.IsCompletedSuccessfully)
        {
            return;
        }

        try
        {
            await subscription.WaitAsync(ListenWait, time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.ListenFailed(logger, ex);
        }
    }

    private Task OnMessageAsync(BackplaneMessage message)
    {
        if (TryRead(message, out var relayed))
        {
            if (relayed.Envelope.Op == RelayOp.Reply)
            {
                Complete(relayed);
            }
            else
            {
                _onRequest?.Invoke(relayed);
            }
        }

        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        Task<IAsyncDisposable>? subscription;
        lock (_gate)
        {
            subscription = _subscription;
            _subscription = null;
        }

        if (subscription is { IsCompletedSuccessfully: true })
        {
            await subscription.Result.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Sends <paramref name="request"/> to <paramref name="holder"/> and waits for its reply; null when none came in time.</summary>
    public async Task<RelayMessage?> AskAsync(string holder, RelayEnvelope request, ReadOnlyMemory<byte> body, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var id = ConnectionIds.New();
        var reply = new TaskCompletionSource<RelayMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        try
        {
            try
            {
                await backplane.PublishAsync(Encode(holder, request with { Request = id }, body), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Publishing failed or timed out (a RedisTimeoutException is a TimeoutException too): not the holder's
                // silence, so it is logged as what it is.
                Log.RelayFailed(logger, holder, ex);
                return null;
            }

            return await reply.Task.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.NoReply(logger, holder, request.Op.ToString());
            return null;
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    public async Task ReplyAsync(RelayMessage request, RelayEnvelope reply, ReadOnlyMemory<byte> body)
    {
        try
        {
            await backplane.PublishAsync(Encode(request.Source, reply with { Op = RelayOp.Reply, Request = request.Envelope.Request }, body)).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.RelayFailed(logger, request.Source, ex); // the asker times out and answers 503
        }
    }

    /// <summary>Reads a backplane message addressed to this node; false for anything else.</summary>
    private bool TryRead(BackplaneMessage message, out RelayMessage relayed)
    {
        relayed = default;
        var payload = message.Payload.Span;
        if (message.Kind != BackplaneMessageKind.Session || !string.Equals(message.Channel, _inbox, StringComparison.Ordinal) || payload.Length < 4)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(payload);
        if (length < 0 || length > payload.Length - 4)
        {
            return false;
        }

        try
        {
            var envelope = JsonSerializer.Deserialize(payload.Slice(4, length), RelayJsonContext.Default.RelayEnvelope);
            if (envelope is null)
            {
                return false;
            }

            relayed = new RelayMessage(message.SourceNode, envelope, message.Payload[(4 + length)..]);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Hands a reply to the request waiting for it (none: it timed out, and the reply is dropped).</summary>
    private void Complete(RelayMessage reply)
    {
        if (_pending.TryRemove(reply.Envelope.Request, out var waiting))
        {
            waiting.TrySetResult(reply);
        }
    }

    private BackplaneMessage Encode(string to, RelayEnvelope envelope, ReadOnlyMemory<byte> body)
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(envelope, RelayJsonContext.Default.RelayEnvelope);
        var payload = new byte[4 + header.Length + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(payload, header.Length);
        header.CopyTo(payload, 4);
        body.Span.CopyTo(payload.AsSpan(4 + header.Length));
        return new BackplaneMessage(BackplaneMessageKind.Session, ChannelPrefix + to, 0, node.Id, payload);
    }
}
