namespace KefuSync;

/// <summary>One failed delivery attempt.</summary>
public sealed class KefuWebhookFailure
{
    /// <summary>When the attempt failed.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>The <c>webhook-id</c> of the event.</summary>
    public required string EventId { get; init; }

    /// <summary>The attempt's number for this event, from 1.</summary>
    public required int Attempt { get; init; }

    /// <summary>The receiver's HTTP status, or null when no response came (refused address, connection error, timeout).</summary>
    public int? StatusCode { get; init; }

    /// <summary>What went wrong, in a few words.</summary>
    public required string Error { get; init; }
}
