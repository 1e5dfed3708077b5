namespace KefuSync.FollowUp;

/// <summary>
/// One sequence of emails of a conversation (the visitor's follow-ups, or one agent address's notifications), as folded
/// from its <c>email:KEY</c> log. Email number <c>n</c> has one Message-ID whatever node sends it, however often.
/// </summary>
internal sealed class EmailStream
{
    /// <summary>The highest email number sent or given up.</summary>
    public int Done { get; set; }

    /// <summary>The highest conversation revision an email sent (or given up) covered: later messages need a new one.</summary>
    public long Covered { get; set; }

    /// <summary>Unix ms of the last email sent (the throttle counts from it).</summary>
    public long LastAt { get; set; }

    /// <summary>The email being sent: claimed by a node until <see cref="EmailClaim.Until"/>, or failed and waiting to be retried.</summary>
    public EmailClaim? Open { get; set; }
}
