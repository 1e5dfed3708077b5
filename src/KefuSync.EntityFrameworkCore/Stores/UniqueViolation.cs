using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace KefuSync.EntityFrameworkCore.Stores;

/// <summary>
/// Recognises a unique-key violation without referencing any provider package. Only used to choose how loudly to log:
/// the store resolves every failed append by re-reading, so a misclassified error costs a log level, never correctness.
/// </summary>
internal static class UniqueViolation
{
    public static bool Matches(DbUpdateException exception)
    {
        for (Exception? inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is not DbException db)
            {
                continue;
            }

            // PostgreSQL (Npgsql) reports SQLSTATE 23505; class 23 is "integrity constraint violation" in standard SQLSTATE.
            if (db.SqlState is { } state && state.StartsWith("23", StringComparison.Ordinal))
            {
                return true;
            }

            // SQLite (Microsoft.Data.Sqlite) has no SQLSTATE; its primary error 19 is SQLITE_CONSTRAINT, and the message
            // names the kind: "UNIQUE constraint failed" (2067) or a primary key (1555).
            if (db.Message.Contains("UNIQUE constraint failed", StringComparison.OrdinalIgnoreCase)
                || db.Message.Contains("duplicate key", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
