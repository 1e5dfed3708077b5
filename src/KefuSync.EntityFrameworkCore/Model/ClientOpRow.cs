namespace KefuSync.EntityFrameworkCore.Model;

/// <summary>
/// A row of <c>kefu_client_ops</c>: the revision ledger, one row per retained op (sequenced or not). Its primary key
/// (channel, client_op_id) makes appends idempotent, and its unique index (channel, revision) makes revision assignment
/// race-free. A trim deletes the rows of the ops it removes, except the row at the head, whose id it replaces with
/// <see cref="HeadTombstone"/>: the head of a channel whose ops were all trimmed stays, and its id is forgotten.
/// </summary>
internal sealed class ClientOpRow
{
    public required string Channel { get; set; }

    public required string ClientOpId { get; set; }

    public long Revision { get; set; }

    /// <summary>The id of the head row once its op is trimmed: it has a space, so it is never a client op id (0x21–0x7E).</summary>
    public const string HeadTombstone = " trimmed";
}
