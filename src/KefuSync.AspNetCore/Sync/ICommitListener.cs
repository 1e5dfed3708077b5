namespace KefuSync.Sync;

/// <summary>
/// Told of every op the commit pipeline commits with a handler whose ops are <typeparamref name="TOp"/>, after the
/// broadcast and before the submitter's ack (so a listener's bounded queue pushes back on submitters instead of
/// growing). Sync calls listeners without knowing who they are: the inbox (Conversations) is one. Register as
/// <c>ICommitListener&lt;TOp&gt;</c> singletons. Keep it short: it runs under the channel's gate.
/// </summary>
internal interface ICommitListener<TOp>
{
    ValueTask OnCommittedAsync(CommittedOp<TOp> committed, CancellationToken cancellationToken);
}
