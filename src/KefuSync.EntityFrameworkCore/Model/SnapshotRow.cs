namespace KefuSync.EntityFrameworkCore.Model;

/// <summary>A row of <c>kefu_snapshots</c>: the newest snapshot of a channel.</summary>
internal sealed class SnapshotRow
{
    public required string Channel { get; set; }

    public long Revision { get; set; }

    public required byte[] State { get; set; }
}
