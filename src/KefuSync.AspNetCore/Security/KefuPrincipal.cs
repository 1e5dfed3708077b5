namespace KefuSync.Security;

/// <summary>The identity a connection or a server-side call acts as.</summary>
/// <param name="Id">Principal id: a visitor id (<c>a_…</c>/<c>h_…</c>), <c>agent:NAME</c>, or the id host code gave a bot.</param>
/// <param name="Name">Display name.</param>
/// <param name="Role">Visitor, agent or bot.</param>
/// <param name="ConversationKey">For a visitor, the key of their own conversation; otherwise null.</param>
/// <param name="Visitor">For a visitor, the signed identity (with host fields).</param>
internal sealed record KefuPrincipal(string Id, string Name, PrincipalRole Role, string? ConversationKey, VisitorIdentity? Visitor)
{
    public string RoleName => Role switch
    {
        PrincipalRole.Agent => "agent",
        PrincipalRole.Bot => "bot",
        _ => "visitor",
    };
}
