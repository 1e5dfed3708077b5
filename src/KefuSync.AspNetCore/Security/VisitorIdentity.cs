namespace KefuSync.Security;

/// <summary>Who a visitor is, as signed into their token.</summary>
/// <param name="Id">Stable visitor id: the host's own id (prefixed <c>h_</c>) or a minted anonymous one (<c>a_</c>).</param>
/// <param name="Name">Display name.</param>
/// <param name="Fields">Host-provided fields shown to agents (plan, order number, ...).</param>
/// <param name="IssuedAt">When the token was issued (Unix seconds).</param>
internal sealed record VisitorIdentity(string Id, string Name, Dictionary<string, string> Fields, long IssuedAt)
{
    public bool IsAnonymous => Id.StartsWith("a_", StringComparison.Ordinal);
}
