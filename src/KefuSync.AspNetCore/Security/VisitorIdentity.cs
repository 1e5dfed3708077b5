namespace KefuSync.Security;

/// <summary>Who a visitor is, as signed into their token.</summary>
/// <param name="Id">Stable visitor id: the host's own id (prefixed <c>h_</c>) or a minted anonymous one (<c>a_</c>).</param>
/// <param name="Name">Display name.</param>
/// <param name="Fields">Host-provided fields shown to agents (plan, order number, ...).</param>
/// <param name="IssuedAt">When the token was issued (Unix seconds).</param>
/// <param name="Generated">
/// The server made <paramref name="Name"/> up ("Visitor 4ce1": an anonymous visitor, or a host identity signed without a
/// name). Carried as a fact, so consoles can show the generated name in their own language (docs/protocol.md §4.3,
/// <c>visitorGen</c>) without ever guessing from a name a host chose ("Visitor Bob" stays as it is).
/// </param>
internal sealed record VisitorIdentity(string Id, string Name, Dictionary<string, string> Fields, long IssuedAt, bool Generated = false)
{
    public bool IsAnonymous => Id.StartsWith("a_", StringComparison.Ordinal);

    /// <summary>The short tag of a generated name (the "4ce1" of "Visitor 4ce1"), or null when a host chose the name.</summary>
    public string? GeneratedTag() => Generated ? VisitorNames.Tag(Id) : null;
}
