namespace KefuSync.Stores;

/// <summary>
/// A store that appends synchronously (the in-memory one): the commit pipeline calls this instead of
/// <see cref="IOpStore.AppendAsync"/>, so an op costs no <see cref="Task{TResult}"/> and no <see cref="OpDraft"/>
/// (a result of a different revision every time cannot be cached). Same rules as <c>AppendAsync</c> (IOpStore rules 1-3).
/// </summary>
internal interface ISynchronousAppend
{
    AppendResult Append(string channel, long expectedRevision, string clientOpId, string author, DateTimeOffset timestamp, ReadOnlySpan<byte> payload, OpSequence? sequence);
}
