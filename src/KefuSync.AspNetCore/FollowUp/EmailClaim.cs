namespace KefuSync.FollowUp;

/// <summary>An email started and not finished: number <paramref name="N"/>, covering the conversation up to <paramref name="UpTo"/>.</summary>
/// <param name="N">The email's number in its stream (its Message-ID).</param>
/// <param name="UpTo">The last conversation revision it covers; a retry sends exactly the same email.</param>
/// <param name="Node">The node that claimed it; null after a failure (nobody holds it).</param>
/// <param name="Until">Unix ms before which no other node touches it: the claim's lease, or a failure's back-off.</param>
/// <param name="Tries">Attempts so far.</param>
internal sealed record EmailClaim(int N, long UpTo, string? Node, long Until, int Tries);
