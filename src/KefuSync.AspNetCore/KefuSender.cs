namespace KefuSync;

/// <summary>Who host code acts as through <see cref="IKefuSyncService"/>.</summary>
/// <param name="Id">Principal id, e.g. <c>bot:assistant</c>.</param>
/// <param name="Name">Display name shown to visitors and agents.</param>
public sealed record KefuSender(string Id, string Name);
