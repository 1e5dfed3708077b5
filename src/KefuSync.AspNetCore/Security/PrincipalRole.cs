namespace KefuSync.Security;

/// <summary>What a connection acts as.</summary>
internal enum PrincipalRole
{
    Visitor,
    Agent,
    /// <summary>Host code through the server-side API (bots, AI suggestions).</summary>
    Server,
}
