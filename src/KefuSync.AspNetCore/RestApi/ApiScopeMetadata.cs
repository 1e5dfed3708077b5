namespace KefuSync.RestApi;

/// <summary>Endpoint metadata: the <see cref="KefuApiScopes"/> scope an API endpoint needs.</summary>
internal sealed record ApiScopeMetadata(string Scope);
