namespace KefuSync.Protocol;

/// <summary>One presence entry as it goes on the wire.</summary>
internal readonly record struct PresenceView(string PrincipalId, string Name, string Role, string Client, ReadOnlyMemory<byte> State);
