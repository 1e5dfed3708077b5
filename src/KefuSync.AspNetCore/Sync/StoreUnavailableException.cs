namespace KefuSync.Sync;

/// <summary>
/// A store call failed (unreachable, timed out, or returned data it could not have written). Only store calls throw it, so
/// only store failures become <c>store_unavailable</c> (retryable): an exception raised while reading what a client sent
/// is a client error, or a bug, and must never tell the client to send the same bytes again.
/// </summary>
internal sealed class StoreUnavailableException : Exception
{
    public StoreUnavailableException(string channel, Exception inner)
        : base($"The store failed on '{channel}'.", inner)
    {
        Channel = channel;
    }

    public StoreUnavailableException(string channel, string message)
        : base(message)
    {
        Channel = channel;
    }

    public string Channel { get; }

    /// <summary>Whether <paramref name="exception"/>, thrown by a store call, is a store failure to wrap (not the caller's own cancellation, not already wrapped).</summary>
    public static bool ShouldWrap(Exception exception, CancellationToken cancellationToken)
        => exception is not StoreUnavailableException && !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested);
}
