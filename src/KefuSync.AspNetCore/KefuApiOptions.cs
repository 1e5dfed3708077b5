namespace KefuSync;

/// <summary>
/// The REST API under <c>{prefix}/api/v1</c> (docs/rest-api.md). Off by default: with no key configured here or
/// created in the console (<see cref="KefuSyncOptions.AdminPolicy"/>) every API request answers 404, so a host that
/// never set a key exposes nothing. Bound from <c>KefuSync:Api</c>.
/// </summary>
public sealed class KefuApiOptions
{
    /// <summary>The keys a caller may send as <c>Authorization: Bearer KEY</c>; none by default (the API is off).</summary>
    public IList<KefuApiKey> Keys { get; set; } = [];
}

/// <summary>One API key: who the caller is in conversations, and with which role.</summary>
public sealed class KefuApiKey
{
    /// <summary>A name, unique among the keys: the principal becomes <c>agent:NAME</c> or <c>bot:NAME</c>.</summary>
    public string Name { get; set; } = "";

    /// <summary>The secret itself, at least 32 characters; compared in constant time.</summary>
    public string Key { get; set; } = "";

    /// <summary><c>agent</c> or <c>bot</c>: the role the caller's messages and changes carry.</summary>
    public string Role { get; set; } = "bot";

    /// <summary>The name visitors and agents see on the caller's messages; the key's name when empty.</summary>
    public string? DisplayName { get; set; }

    /// <summary>
    /// What the key may do (<see cref="KefuApiScopes"/>). Empty, the default: every scope, as before scopes existed.
    /// </summary>
    public IList<string> Scopes { get; set; } = [];
}
