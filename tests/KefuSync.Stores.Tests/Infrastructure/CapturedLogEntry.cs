using Microsoft.Extensions.Logging;

namespace KefuSync.Tests.Infrastructure;

/// <summary>One entry kept by <see cref="CapturedLogs"/>.</summary>
public sealed record CapturedLogEntry(LogLevel Level, string Category, EventId EventId, string Message, Exception? Exception)
{
    public override string ToString() => $"{Level} {Category}[{EventId.Id}:{EventId.Name}] {Message} {Exception?.GetType().Name}: {Exception?.Message}";
}
