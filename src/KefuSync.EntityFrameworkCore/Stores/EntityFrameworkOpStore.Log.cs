using KefuSync.Stores;
using Microsoft.Extensions.Logging;

namespace KefuSync.EntityFrameworkCore.Stores;

internal sealed partial class EntityFrameworkOpStore<TContext>
{
    // Event ids 3100-3119: the EF Core op store.
    private static partial class Log
    {
        [LoggerMessage(3100, LogLevel.Debug, "Append to '{Channel}' at revision {Revision} lost a race on a unique key; resolved as {Status}.", EventName = "EfAppendRaceResolved")]
        public static partial void AppendRaceResolved(ILogger logger, string channel, long revision, AppendStatus status);

        [LoggerMessage(3101, LogLevel.Information, "Append to '{Channel}' at revision {Revision} failed but re-reading resolved it as {Status}.", EventName = "EfAppendFailureResolved")]
        public static partial void AppendFailureResolved(ILogger logger, string channel, long revision, AppendStatus status, Exception exception);

        [LoggerMessage(3102, LogLevel.Warning, "Append to '{Channel}' at revision {Revision} failed.", EventName = "EfAppendFailed")]
        public static partial void AppendFailed(ILogger logger, string channel, long revision, Exception exception);
    }
}
