using KefuSync.Stores.Tests.Providers;
using KefuSync.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Stores.Tests.EntityFrameworkCore;

/// <summary>
/// A resend after a lost ack is the normal path after every reconnect. On the EF Core store it must be recognised as a
/// duplicate without an insert that the unique key refuses: EF Core logs every refused SaveChanges itself, as two
/// <c>fail:</c> entries with stack traces (248 lines in a 10,000-message fault run before this was fixed).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DuplicateResendLoggingTests(PostgresServerFixture postgres) : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "kefu-ef-dup-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task DuplicateResend_IsAnsweredWithItsRevision_AndLogsNoFailure(string database)
    {
        var logs = new CapturedLogs();
        Directory.CreateDirectory(_directory);
        await using var services = await TestHosts.EntityFrameworkAsync(
            options =>
            {
                if (database == "sqlite")
                {
                    options.UseSqlite($"Data Source={Path.Combine(_directory, "kefu.db")}");
                }
                else
                {
                    options.UseNpgsql(postgres.ConnectionString("kefu_dup_logs"));
                }
            },
            logs: logs);
        var store = services.GetRequiredService<IOpStore>();
        var channel = "conv:" + Guid.NewGuid().ToString("N");
        var message = new OpDraft("tab1-1", "visitor:1", DateTimeOffset.UtcNow, "{\"k\":\"msg\",\"text\":\"hi\"}"u8.ToArray());

        Assert.Equal(AppendResult.Appended(1), await store.AppendAsync(channel, 0, message));
        // The resend after a lost ack: the node's head hint is 1 now, so it carries expected revision 1, the head.
        Assert.Equal(AppendResult.Duplicate(1), await store.AppendAsync(channel, 1, message));
        // A resend from a client that only knew revision 0.
        Assert.Equal(AppendResult.Duplicate(1), await store.AppendAsync(channel, 0, message));
        Assert.Equal(AppendResult.Appended(2), await store.AppendAsync(channel, 1, message with { ClientOpId = "tab1-2" }));
        Assert.Equal(AppendResult.Duplicate(2), await store.AppendAsync(channel, 2, message with { ClientOpId = "tab1-2" }));

        Assert.True(logs.Failures.Count == 0, "Logged failures: " + string.Join(" | ", logs.Failures));
        Assert.DoesNotContain(logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning && e.Category.Contains("KefuSync", StringComparison.Ordinal));
        Assert.Equal(2, await store.GetRevisionAsync(channel));
    }
}
