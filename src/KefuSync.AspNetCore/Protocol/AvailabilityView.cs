namespace KefuSync.Protocol;

/// <summary>
/// The <c>avail</c> object of a visitor's <c>welcome</c> and of <c>GET {prefix}/availability</c> (docs/protocol.md §2.4).
/// Instants are Unix milliseconds: the client shows them in the visitor's own time zone.
/// </summary>
/// <param name="Open">Inside business hours now (always true without a schedule).</param>
/// <param name="Back">Outside hours: when the next opening starts; null when none is scheduled within three weeks.</param>
/// <param name="Next">When <paramref name="Open"/> flips next (the client asks again then); null when it does not within three weeks.</param>
/// <param name="Outside">What the widget does outside hours: <c>form</c>, <c>hide</c> or <c>chat</c>.</param>
/// <param name="Ask">Whether the offline form asks for an email: <c>optional</c>, <c>required</c> or <c>off</c> (off also for a visitor the host signed in with an email).</param>
internal readonly record struct AvailabilityView(bool Open, long? Back, long? Next, string Outside, string Ask);
