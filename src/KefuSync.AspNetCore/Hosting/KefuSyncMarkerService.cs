namespace KefuSync.Hosting;

/// <summary>Registered by <c>AddKefuSync</c>, so <c>MapKefuSync</c> can tell the host forgot it.</summary>
internal sealed class KefuSyncMarkerService;
