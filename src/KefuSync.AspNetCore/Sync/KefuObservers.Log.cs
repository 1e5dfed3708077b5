using Microsoft.Extensions.Logging;

namespace KefuSync.Sync;

internal sealed partial class KefuObservers
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1301, EventName = "ObserverFailed", Level = LogLevel.Error, Message = "Observer {Observer} failed on {Channel} revision {Revision}.")]
        public static partial void ObserverFailed(ILogger logger, string observer, string channel, long revision, Exception exception);
    }
}
