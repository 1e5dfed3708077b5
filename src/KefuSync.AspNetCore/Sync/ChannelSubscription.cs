using KefuSync.Protocol;

namespace KefuSync.Sync;

/// <summary>
/// One connection's subscription to one channel. It guarantees the connection receives the channel's ops with
/// consecutive revisions: a live op that is not the next one is not sent; instead the subscription enters repair
/// mode and the engine re-reads the missing ops from the store (the source of truth) in order.
/// </summary>
/// <remarks>
/// Invariant: frames for this channel are queued to the connection only under <see cref="_gate"/>, with revision
/// exactly <see cref="_lastSent"/> + 1 (or a snapshot that moves <see cref="_lastSent"/>). Live ops that arrive during
/// a repair set <see cref="_repairAgain"/>, so the repair loop reads once more before it ends and none is missed.
/// </remarks>
internal sealed class ChannelSubscription(ConnectionContext connection, ChannelName channel, long revision)
{
    private readonly Lock _gate = new();
    private readonly ClientIdSet _clients = new();
    private long _lastSent = revision;
    private bool _repairing;
    private bool _repairAgain;

    public ConnectionContext Connection { get; } = connection;

    public ChannelName Channel { get; } = channel;

    public long LastSent
    {
        get
        {
            lock (_gate)
            {
                return _lastSent;
            }
        }
    }

    /// <summary>Offers a live op frame. Returns true when the caller must start a repair.</summary>
    public bool OfferLive(long revision, byte[] frame)
    {
        lock (_gate)
        {
            if (_repairing)
            {
                _repairAgain |= revision > _lastSent;
                return false;
            }

            if (revision <= _lastSent)
            {
                return false; // already sent (e.g. by a repair, or our own node's echo)
            }

            if (revision == _lastSent + 1)
            {
                Connection.Send(frame);
                _lastSent = revision;
                return false;
            }

            _repairing = true;
            return true;
        }
    }

    /// <summary>Moves the subscription back to <paramref name="revision"/> (a tab that lacks older ops) and asks for a repair. Returns true when the caller must start it.</summary>
    public bool RequestReplay(long revision)
    {
        lock (_gate)
        {
            if (revision < _lastSent)
            {
                _lastSent = Math.Max(0, revision);
            }

            if (_repairing)
            {
                _repairAgain = true;
                return false;
            }

            _repairing = true;
            return true;
        }
    }

    /// <summary>During a repair: sends an op read from the store if it is the next one.</summary>
    public void SendRepaired(long revision, byte[] frame)
    {
        lock (_gate)
        {
            if (revision == _lastSent + 1)
            {
                Connection.Send(frame);
                _lastSent = revision;
            }
        }
    }

    /// <summary>During a repair: the ops after <see cref="LastSent"/> are gone (trimmed); send a snapshot instead.</summary>
    public void SendSnapshot(long revision, byte[] frame)
    {
        lock (_gate)
        {
            if (revision >= _lastSent)
            {
                Connection.Send(frame);
                _lastSent = revision;
            }
        }
    }

    /// <summary>Ends a repair unless live ops arrived meanwhile; returns false when the loop must read again.</summary>
    public bool TryEndRepair()
    {
        lock (_gate)
        {
            if (_repairAgain)
            {
                _repairAgain = false;
                return false;
            }

            _repairing = false;
            return true;
        }
    }

    /// <summary>Leaves repair mode after a failed repair, so the next live op or <c>sub</c> starts a new one.</summary>
    public void AbortRepair()
    {
        lock (_gate)
        {
            _repairing = false;
            _repairAgain = false;
        }
    }

    public void AddClient(string client)
    {
        lock (_gate)
        {
            _clients.Add(client);
        }
    }

    /// <summary>Removes a logical client; returns true when none is left.</summary>
    public bool RemoveClient(string client)
    {
        lock (_gate)
        {
            _clients.Remove(client);
            return _clients.Count == 0;
        }
    }
}
