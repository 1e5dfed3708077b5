namespace KefuSync.Protocol;

/// <summary>One presence entry as it goes on the wire. <see cref="ConversationKey"/> is set for visitors, so an agent can open (or start) their conversation from the live-visitors list.</summary>
internal readonly record struct PresenceView(string PrincipalId, string Name, string Role, string Client, ReadOnlyMemory<byte> State, string? ConversationKey = null, string? Gen = null);
