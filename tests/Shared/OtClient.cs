// The three-state OT client (synchronized / awaiting confirm / awaiting with buffer), a C# port of
// src/KefuSync.Widget/client/ot/ot-client.ts for tests that simulate many editors. Pure: no I/O, no clock, no
// randomness; the caller moves frames.
//
// Invariants:
// - at most one op in flight (Outstanding) and at most one composed local op behind it (Buffer);
// - Revision is the last server revision applied locally; Outstanding is kept expressed against Revision
//   (transformed forward on every server op), so a resend after reconnect uses base Revision;
// - each op handed out for sending gets a client op id once ("{prefix}-{n}"); a resend reuses it, so the server
//   dedupes it;
// - ties: the server op is the first operand of Transform, so the committed op's insert goes first, as on the server;
// - after every step: local document == Apply(Apply(serverDocument(Revision), Outstanding), Buffer).
using KefuSync.Ot;

namespace KefuSync.Tests.Shared;

/// <summary>The client side of OT for one logical client and one text channel.</summary>
internal sealed class OtClient
{
    private readonly string _idPrefix;
    private long _counter;

    public OtClient(long revision, string idPrefix, long firstCounter = 1)
    {
        ArgumentNullException.ThrowIfNull(idPrefix);
        Revision = revision;
        _idPrefix = idPrefix;
        _counter = firstCounter;
    }

    /// <summary>The three states of the client.</summary>
    public enum ClientState
    {
        Synchronized,
        AwaitingConfirm,
        AwaitingWithBuffer,
    }

    /// <summary>The last server revision applied locally.</summary>
    public long Revision { get; private set; }

    /// <summary>The op in flight: what to (re)send, with the same id, after a reconnect. Null when synchronized.</summary>
    public Submit? Outstanding { get; private set; }

    /// <summary>Local edits waiting behind <see cref="Outstanding"/>.</summary>
    public TextOperation? Buffer { get; private set; }

    public ClientState State => Outstanding is null
        ? ClientState.Synchronized
        : Buffer is null ? ClientState.AwaitingConfirm : ClientState.AwaitingWithBuffer;

    /// <summary>A local edit, already applied locally. True when it became <see cref="Outstanding"/>: send it now.</summary>
    public bool ApplyClient(TextOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (Outstanding is null)
        {
            Outstanding = Mint(operation);
            return true;
        }

        Buffer = Buffer is null ? operation : TextOperation.Compose(Buffer, operation);
        return false;
    }

    /// <summary>A remote op committed at <see cref="Revision"/> + 1. Returns the op to apply locally.</summary>
    public TextOperation ApplyServer(TextOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        Revision++;
        if (Outstanding is null)
        {
            return operation;
        }

        var (op1, outstandingPrime) = TextOperation.Transform(operation, Outstanding.Operation);
        Outstanding = Outstanding with { BaseRevision = Revision, Operation = outstandingPrime };
        if (Buffer is null)
        {
            return op1;
        }

        var (op2, bufferPrime) = TextOperation.Transform(op1, Buffer);
        Buffer = bufferPrime;
        return op2;
    }

    /// <summary>The outstanding op was committed. Returns the next op to send (the buffer, with a new id), or null.</summary>
    public Submit? ServerAck()
    {
        if (Outstanding is null)
        {
            throw new InvalidOperationException("ServerAck without an outstanding operation.");
        }

        Revision++;
        Outstanding = Buffer is null ? null : Mint(Buffer);
        Buffer = null;
        return Outstanding;
    }

    /// <summary>Moves a position reported by another user at <see cref="Revision"/> into the local document.</summary>
    public int TransformRemoteIndex(int index)
    {
        if (Outstanding is not null)
        {
            index = Outstanding.Operation.TransformIndex(index);
        }

        if (Buffer is not null)
        {
            index = Buffer.TransformIndex(index);
        }

        return index;
    }

    private Submit Mint(TextOperation operation) =>
        new($"{_idPrefix}-{_counter++}", Revision, operation);

    /// <summary>A submit frame's content: client op id, base revision, operation.</summary>
    public sealed record Submit(string Id, long BaseRevision, TextOperation Operation);
}
