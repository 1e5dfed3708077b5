namespace KefuSync.Protocol;

/// <summary>The members of one committed op as an <c>op</c> frame (or an entry of a <c>history</c> frame) carries them (docs/protocol.md §2.2).</summary>
/// <param name="Revision"><c>rev</c>.</param>
/// <param name="Id"><c>id</c>: the client op id.</param>
/// <param name="By"><c>by</c>: the author's principal id.</param>
/// <param name="Timestamp"><c>ts</c>: commit time, Unix ms.</param>
/// <param name="Op"><c>op</c>: the stored payload, written as-is.</param>
internal readonly record struct WireOp(long Revision, string Id, string By, long Timestamp, ReadOnlyMemory<byte> Op);
