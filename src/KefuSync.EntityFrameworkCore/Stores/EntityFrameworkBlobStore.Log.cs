using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace KefuSync.EntityFrameworkCore.Stores;

internal sealed partial class EntityFrameworkBlobStore<TContext>
    where TContext : DbContext
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 2301, EventName = "BlobChunkCleanupFailed", Level = LogLevel.Warning, Message = "Could not delete the chunks of the unfinished blob {BlobId}; the orphan sweep will.")]
        public static partial void ChunkCleanupFailed(ILogger logger, string blobId, Exception exception);

        [LoggerMessage(EventId = 2302, EventName = "BlobOrphansSwept", Level = LogLevel.Information, Message = "Deleted {Count} chunks of blobs whose put never completed.")]
        public static partial void OrphansSwept(ILogger logger, int count);
    }
}
