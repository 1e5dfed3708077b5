namespace KefuSync.EntityFrameworkCore.Model;

/// <summary>A row of <c>kefu_ops</c>: one committed operation with its payload. Trimming deletes these rows.</summary>
internal sealed class OpRow
{
    public required string Channel { get; set; }

    public long Revision { get; set; }

    public required string ClientOpId { get; set; }

    public required string Author { get; set; }

    /// <summary>Stored in UTC (PostgreSQL's <c>timestamptz</c> accepts nothing else).</summary>
    public DateTimeOffset Timestamp { get; set; }

    public required byte[] Payload { get; set; }
}
