namespace KefuSync.Bots;

/// <summary>The host's bot type (<c>AddBot&lt;TBot&gt;</c>), resolved from a scope per turn.</summary>
internal sealed record BotRegistration(Type BotType);
