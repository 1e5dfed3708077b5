namespace KefuSync.Transport;

/// <summary>The answer to a <see cref="PullRequest"/>.</summary>
/// <param name="Status">How the pull ended; only <see cref="PullStatus.Ok"/> carries frames.</param>
/// <param name="Stream">The stream the pull belongs to (continue it with this value).</param>
/// <param name="Last">The sequence number of the last frame in <paramref name="Frames"/>, or the cursor when there are none.
/// Frames are consecutive: the first is <c>Last - Frames.Count + 1</c>.</param>
/// <param name="Frames">The frames, oldest first.</param>
/// <param name="End">The session has ended and these are its last frames.</param>
internal sealed record PullResult(PullStatus Status, long Stream, long Last, IReadOnlyList<byte[]> Frames, bool End)
{
    public static readonly PullResult Replaced = new(PullStatus.Replaced, 0, 0, [], false);
    public static readonly PullResult NotFound = new(PullStatus.NotFound, 0, 0, [], false);
    public static readonly PullResult BadCursor = new(PullStatus.BadCursor, 0, 0, [], false);
    public static readonly PullResult Gone = new(PullStatus.Gone, 0, 0, [], false);
    public static readonly PullResult Unavailable = new(PullStatus.Unavailable, 0, 0, [], false);

    public static PullResult Empty(long stream, long last) => new(PullStatus.Ok, stream, last, [], false);
}
