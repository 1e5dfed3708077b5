namespace KefuSync.RestApi;

/// <summary>
/// An API key created in the console, as its <c>apikeys:console</c> log holds it: the SHA-256 of the secret, never the
/// secret, and a hint (its first characters) so an admin can tell keys apart.
/// </summary>
internal sealed record StoredApiKey(
    string Name,
    string Role,
    string? DisplayName,
    IReadOnlyList<string> Scopes,
    byte[] Hash,
    string Hint,
    string CreatedBy,
    DateTimeOffset CreatedAt)
{
    public DateTimeOffset? RevokedAt { get; init; }

    public string? RevokedBy { get; init; }

    public bool Revoked => RevokedAt is not null;
}
