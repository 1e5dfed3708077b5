namespace KefuSync.Sync;

/// <summary>
/// An op brought to a head by its handler (<see cref="ChannelKindHandler{TOp}.PrepareAsync"/>): the op, the revision to
/// append it after and the payload to store, or the refusal the rules gave.
/// </summary>
internal readonly record struct PreparedOp<TOp>(TOp Op, long Head, byte[] Payload, SubmitResult? Refusal)
{
    public static PreparedOp<TOp> Ready(TOp op, long head, byte[] payload) => new(op, head, payload, null);

    public static PreparedOp<TOp> Refuse(SubmitResult refusal) => new(default!, 0, [], refusal);
}
