using KefuSync.Protocol;

namespace KefuSync.Presence;

/// <summary>A presence entry and when it expires (a <see cref="TimeProvider"/> timestamp converted to ms).</summary>
internal sealed record PresenceEntry(PresenceView View, string ConnectionId, long ExpiresAtMs);
