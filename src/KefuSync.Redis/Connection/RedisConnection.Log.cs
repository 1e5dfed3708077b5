using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace KefuSync.Redis.Connection;

internal sealed partial class RedisConnection
{
    // Event ids 3000-3019: connection and resilience.
    private static partial class Log
    {
        [LoggerMessage(3000, LogLevel.Information, "Connecting to Redis at {EndPoints}.", EventName = "RedisConnecting")]
        public static partial void Connecting(ILogger logger, string endPoints);

        [LoggerMessage(3001, LogLevel.Information, "Connecting to Redis through KefuSyncRedisOptions.ConnectionFactory.", EventName = "RedisConnectingWithFactory")]
        public static partial void ConnectingWithFactory(ILogger logger);

        [LoggerMessage(3002, LogLevel.Debug, "Redis connection log: {ConnectionLog}", EventName = "RedisConnectionLog")]
        public static partial void ConnectionLog(ILogger logger, string connectionLog);

        [LoggerMessage(3003, LogLevel.Warning, "Redis {ConnectionType} connection to {EndPoint} failed ({FailureType}).", EventName = "RedisConnectionFailed")]
        public static partial void ConnectionFailed(ILogger logger, ConnectionType connectionType, string endPoint, ConnectionFailureType failureType, Exception? exception);

        [LoggerMessage(3004, LogLevel.Information, "Redis {ConnectionType} connection to {EndPoint} restored.", EventName = "RedisConnectionRestored")]
        public static partial void ConnectionRestored(ILogger logger, ConnectionType connectionType, string endPoint);

        [LoggerMessage(3005, LogLevel.Debug, "Retrying a Redis call (attempt {Attempt}).", EventName = "RedisRetrying")]
        public static partial void Retrying(ILogger logger, int attempt, Exception? exception);

        [LoggerMessage(3006, LogLevel.Warning, "Redis circuit opened for {BreakDuration}: calls fail fast until it closes.", EventName = "RedisCircuitOpened")]
        public static partial void CircuitOpened(ILogger logger, TimeSpan breakDuration, Exception? exception);

        [LoggerMessage(3007, LogLevel.Information, "Redis circuit closed.", EventName = "RedisCircuitClosed")]
        public static partial void CircuitClosed(ILogger logger);
    }
}
