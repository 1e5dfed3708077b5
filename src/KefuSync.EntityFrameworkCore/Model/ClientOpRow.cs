namespace KefuSync.EntityFrameworkCore.Model;

/// <summary>
/// A row of <c>kefu_client_ops</c>: the revision ledger. Its primary key (channel, client_op_id) makes appends idempotent,
/// its unique index (channel, revision) makes revision assignment race-free, and it is never trimmed, so it also holds
/// the head revision of a channel whose ops were all trimmed.
/// </summary>
internal sealed class ClientOpRow
{
    public required string Channel { get; set; }

    public required string ClientOpId { get; set; }

    public long Revision { get; set; }
}
