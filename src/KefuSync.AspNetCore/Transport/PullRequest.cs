namespace KefuSync.Transport;

/// <summary>What a stream or a poll asks of a <see cref="FallbackSession"/>.</summary>
/// <param name="From">The last sequence number the stream has delivered; -1: none yet (start with everything held).</param>
/// <param name="Ack">The last sequence number the client confirmed it has; the session lets go of everything up to it. -1: none.</param>
/// <param name="Stream">The stream this pull continues, from an earlier <see cref="PullResult.Stream"/>; 0 starts a new one.</param>
/// <param name="Wait">How long to wait for a frame when there is none (zero: answer at once).</param>
internal readonly record struct PullRequest(long From, long Ack, long Stream, TimeSpan Wait);
