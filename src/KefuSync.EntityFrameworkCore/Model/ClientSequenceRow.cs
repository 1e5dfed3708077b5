namespace KefuSync.EntityFrameworkCore.Model;

/// <summary>
/// A row of <c>kefu_client_sequences</c>: one sequenced client's high-water mark on a channel (IOpStore rule 3), the
/// highest number committed and its revision. One row per client of a text channel, however many keystrokes it sent;
/// trimming never touches it. <see cref="Number"/> is a concurrency token, so raising the mark is a compare-and-swap.
/// </summary>
internal sealed class ClientSequenceRow
{
    public required string Channel { get; set; }

    public required string Client { get; set; }

    public long Number { get; set; }

    public long Revision { get; set; }
}
