namespace KefuSync.Transport;

/// <summary>What a fallback session id says once its signature is checked (<see cref="SessionTokens"/>).</summary>
/// <param name="Id">The session's own id (128 random bits), the key on its node.</param>
/// <param name="Node">The node that holds the session (<see cref="Sync.NodeIdentity"/>).</param>
/// <param name="User">The HTTP user bound to it (<see cref="FallbackTransport.UserOf"/>), or null for none.</param>
internal readonly record struct SessionToken(string Id, string Node, string? User);
