using Microsoft.Extensions.Logging;

namespace KefuSync.EntityFrameworkCore.Hosting;

internal sealed partial class SchemaInitializer<TContext>
{
    // Event ids 3140-3149: schema creation.
    private static partial class Log
    {
        [LoggerMessage(3140, LogLevel.Information, "Created the database and schema of {Context}.", EventName = "EfDatabaseCreated")]
        public static partial void DatabaseCreated(ILogger logger, string context);

        [LoggerMessage(3141, LogLevel.Information, "Created the KefuSync tables of {Context}.", EventName = "EfTablesCreated")]
        public static partial void TablesCreated(ILogger logger, string context);

        [LoggerMessage(3142, LogLevel.Debug, "The KefuSync tables already exist.", EventName = "EfSchemaPresent")]
        public static partial void SchemaPresent(ILogger logger);
    }
}
