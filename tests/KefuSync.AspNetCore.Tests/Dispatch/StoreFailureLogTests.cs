using System.Text;
using System.Text.Json;
using KefuSync.Dispatch;
using KefuSync.Security;
using KefuSync.Stores;
using KefuSync.Sync;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KefuSync.Tests.Dispatch;

/// <summary>
/// A store that fails answers <c>history</c> and <c>list</c> with <c>store_unavailable</c> and logs an event named for
/// what failed (before issue 13 both were logged as <c>SubscribeFailed</c>).
/// </summary>
public sealed class StoreFailureLogTests
{
    private static readonly KefuPrincipal Agent = new("agent:1", "Agent", PrincipalRole.Agent, null, null);

    [Fact]
    public async Task History_WhenTheStoreFails_LogsHistoryFailed()
    {
        var (events, frames) = await SendAsync("""{"t":"history","q":"h1","ch":"conv:k1"}""");
        Assert.Equal("store_unavailable", Assert.Single(frames).GetProperty("code").GetString());
        Assert.Equal(["HistoryFailed"], events);
    }

    [Fact]
    public async Task List_WhenTheStoreFails_LogsListFailed()
    {
        var (events, frames) = await SendAsync("""{"t":"list","q":"l1"}""");
        Assert.Equal("store_unavailable", Assert.Single(frames).GetProperty("code").GetString());
        Assert.Equal(["ListFailed"], events);
    }

    private static async Task<(List<string> Events, List<JsonElement> Frames)> SendAsync(string frame)
    {
        var events = new List<string>();
        var services = new ServiceCollection();
        services.AddLogging(b => b.ClearProviders().AddProvider(new EventNames(events)));
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddKefuSync();
        services.AddSingleton<IOpStore, ReadsFail>(); // the last registration wins
        using var provider = services.BuildServiceProvider();

        var connection = new ConnectionContext("c1", provider.GetRequiredService<IOptions<KefuSyncOptions>>().Value, TimeProvider.System) { Principal = Agent };
        await provider.GetRequiredService<FrameDispatcher>().HandleAsync(connection, Encoding.UTF8.GetBytes(frame), CancellationToken.None);

        var frames = new List<JsonElement>();
        while (connection.Outgoing.TryRead(out var bytes))
        {
            frames.Add(JsonDocument.Parse(bytes).RootElement.Clone());
        }

        lock (events)
        {
            return ([.. events.Where(e => e.EndsWith("Failed", StringComparison.Ordinal))], frames);
        }
    }

    /// <summary>The in-memory store with its reads failing as a store that went down does (a socket error).</summary>
    private sealed class ReadsFail : IOpStore
    {
        private readonly InMemoryOpStore _inner = new();

        public Task<AppendResult> AppendAsync(string channel, long expectedRevision, OpDraft op, CancellationToken cancellationToken = default) => _inner.AppendAsync(channel, expectedRevision, op, cancellationToken);

        public Task<long> GetRevisionAsync(string channel, CancellationToken cancellationToken = default) => _inner.GetRevisionAsync(channel, cancellationToken);

        public Task<IReadOnlyList<OpRecord>> ReadAsync(string channel, long afterRevision, int maxCount, CancellationToken cancellationToken = default)
            => Task.FromException<IReadOnlyList<OpRecord>>(new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused));

        public Task<IReadOnlyList<OpRecord>> ReadBeforeAsync(string channel, long beforeRevision, int maxCount, CancellationToken cancellationToken = default)
            => Task.FromException<IReadOnlyList<OpRecord>>(new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused));
    }

    private sealed class EventNames(List<string> into) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(into);

        public void Dispose()
        {
        }

        private sealed class Logger(List<string> into) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (into)
                {
                    into.Add(eventId.Name ?? "");
                }
            }
        }
    }
}
