using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace KefuSync.Tests.Infrastructure;

/// <summary>A logger provider that keeps every entry, so a test can assert what a component logged (and what it must not).</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLogEntry> _entries = new();

    public IReadOnlyList<CapturedLogEntry> Entries => [.. _entries];

    /// <summary>Entries at <see cref="LogLevel.Error"/> or above: what a console logger prints as <c>fail:</c> or <c>crit:</c>.</summary>
    public IReadOnlyList<CapturedLogEntry> Failures => [.. _entries.Where(e => e.Level >= LogLevel.Error)];

    public ILogger CreateLogger(string categoryName) => new Category(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Category(CapturedLogs owner, string name) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => owner._entries.Enqueue(new CapturedLogEntry(logLevel, name, eventId, formatter(state, exception), exception));
    }
}
