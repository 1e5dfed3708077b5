namespace KefuSync.EntityFrameworkCore;

/// <summary>Options of the Entity Framework Core op store.</summary>
public sealed class KefuSyncEntityFrameworkOptions
{
    /// <summary>
    /// When true, a hosted service creates the KefuSync tables at startup if they are missing (like <c>EnsureCreated</c>,
    /// but it also works in a database that already has other tables when KefuSync owns its context). Handy for
    /// development, tests and SQLite; in production prefer migrations. Default false.
    /// </summary>
    public bool CreateSchemaOnStartup { get; set; }

    /// <summary>
    /// Longest time one store call may take before it fails with <c>Polly.Timeout.TimeoutRejectedException</c>
    /// (default 5 seconds), so that a stalled database makes callers retry instead of hang.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
