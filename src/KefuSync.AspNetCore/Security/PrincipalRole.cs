namespace KefuSync.Security;

/// <summary>
/// What a principal acts as. On the wire (docs/protocol.md §2.2) each is its <see cref="KefuPrincipal.RoleName"/>:
/// <c>visitor</c>, <c>agent</c>, <c>bot</c>.
/// </summary>
internal enum PrincipalRole
{
    /// <summary>A site visitor (the widget): <c>visitor</c>.</summary>
    Visitor,

    /// <summary>A user who passed the agent policy (the console): <c>agent</c>.</summary>
    Agent,

    /// <summary>Host code through <see cref="IKefuSyncService"/> (bots, AI suggestions), and the engine itself writing the inbox: <c>bot</c>. Never a connection.</summary>
    Bot,
}
