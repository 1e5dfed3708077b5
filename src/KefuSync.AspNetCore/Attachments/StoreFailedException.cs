namespace KefuSync.Attachments;

/// <summary>The blob store failed or timed out: the request answers <c>503 store_unavailable</c> and may be retried.</summary>
internal sealed class StoreFailedException(Exception inner) : Exception("The blob store failed.", inner);
