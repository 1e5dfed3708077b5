using KefuSync.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Stores.Tests.Providers;

/// <summary>A SQLite file database in a temp directory, shared by the tests of one class.</summary>
public sealed class SqliteDatabaseFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "kefu-sqlite-" + Guid.NewGuid().ToString("N")[..12]);

    public ServiceProvider Services { get; private set; } = null!;

    public string ConnectionString => $"Data Source={Path.Combine(_directory, "kefu.db")};Default Timeout=30";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        Services = await TestHosts.EntityFrameworkAsync(options => options.UseSqlite(ConnectionString), blobs: true);
        // WAL lets readers run while a writer commits; it is a property of the file, so set it once.
        await using var db = await Services.GetRequiredService<IDbContextFactory<KefuSync.EntityFrameworkCore.KefuSyncDbContext>>().CreateDbContextAsync();
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
    }

    public async Task DisposeAsync()
    {
        await Services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>The EF Core store on SQLite (a file database) against the specification.</summary>
public sealed class SqliteOpStoreTests(SqliteDatabaseFixture database) : OpStoreSpecification, IClassFixture<SqliteDatabaseFixture>
{
    // SQLite has one writer at a time; fewer writers keep the test quick while still racing.
    protected override int ConcurrentWriters => 4;

    protected override Task<IOpStore> CreateStoreAsync() => Task.FromResult(database.Services.GetRequiredService<IOpStore>());
}
