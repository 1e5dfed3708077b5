using System.Text;
using KefuSync.EntityFrameworkCore;
using KefuSync.Hosting;
using KefuSync.Stores.Tests.Providers;
using KefuSync.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Stores.Tests.EntityFrameworkCore;

/// <summary>
/// A host's own DbContext with <c>AddKefuSyncModel()</c>, created by its EF migrations (committed here, generated with
/// <c>dotnet ef migrations add</c>), never by EnsureCreated: the whole store specification runs on the migrated database.
/// </summary>
public sealed class MigratedHostContextFixture : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kefu-migrated-").FullName;

    public ServiceProvider Services { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContextFactory<HostAppDbContext>(o => o.UseSqlite($"Data Source={Path.Combine(_directory, "host.db")};Default Timeout=30"));
        new KefuSyncBuilder(services).AddEntityFrameworkStore<HostAppDbContext>(o => o.CreateSchemaOnStartup = false);
        Services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        await using var db = await Services.GetRequiredService<IDbContextFactory<HostAppDbContext>>().CreateDbContextAsync();
        await db.Database.MigrateAsync();
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        await TestHosts.StartHostedServicesAsync(Services);
    }

    public async Task DisposeAsync()
    {
        await Services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>The store contract on a database created by the host's migrations.</summary>
public sealed class MigratedHostContextSpecificationTests(MigratedHostContextFixture database) : OpStoreSpecification, IClassFixture<MigratedHostContextFixture>
{
    protected override int ConcurrentWriters => 4;

    protected override Task<IOpStore> CreateStoreAsync() => Task.FromResult(database.Services.GetRequiredService<IOpStore>());
}

public sealed class MigrationTests
{
    [Fact]
    public async Task CommittedMigrations_MatchTheCurrentModel_ForBothContexts()
    {
        // If KefuSync's model changes without a new migration, this fails: run `dotnet ef migrations add` as docs/deployment.md shows.
        await using (var host = new HostAppDbContextFactory().CreateDbContext([]))
        {
            Assert.False(host.Database.HasPendingModelChanges(), "HostAppDbContext has model changes without a migration");
        }

        await using var owned = new KefuSyncDbContextFactory().CreateDbContext([]);
        Assert.False(owned.Database.HasPendingModelChanges(), "KefuSyncDbContext has model changes without a migration");
    }

    [Fact]
    public async Task KefuSyncOwnedContext_CreatedByMigrations_StoresAppendsDuplicatesAndSnapshots()
    {
        var directory = Directory.CreateTempSubdirectory("kefu-owned-").FullName;
        var services = new ServiceCollection();
        services.AddLogging();
        var cs = $"Data Source={Path.Combine(directory, "owned.db")}";
        new KefuSyncBuilder(services).AddEntityFrameworkStore(
            o => o.UseSqlite(cs, x => x.MigrationsAssembly(typeof(KefuSyncDbContextFactory).Assembly.GetName().Name)),
            o => o.CreateSchemaOnStartup = false);
        await using (var provider = services.BuildServiceProvider())
        {
            await using (var db = await provider.GetRequiredService<IDbContextFactory<KefuSyncDbContext>>().CreateDbContextAsync())
            {
                await db.Database.MigrateAsync();
                Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            }

            var store = provider.GetRequiredService<IOpStore>();
            var draft = new OpDraft("c-1", "a_1", DateTimeOffset.UtcNow, Encoding.UTF8.GetBytes("{\"k\":\"msg\",\"text\":\"你好\"}"));
            Assert.Equal(AppendResult.Appended(1), await store.AppendAsync("conv:m", 0, draft));
            Assert.Equal(AppendResult.Duplicate(1), await store.AppendAsync("conv:m", 1, draft));
            var read = Assert.Single(await store.ReadAsync("conv:m", 0, 10));
            Assert.Equal(draft.Payload.ToArray(), read.Payload.ToArray());

            var snapshots = provider.GetRequiredService<ISnapshotStore>();
            await snapshots.SaveSnapshotAsync("note:m", new Snapshot(3, Encoding.UTF8.GetBytes("\"abc\"")));
            Assert.Equal(3, (await snapshots.GetSnapshotAsync("note:m"))!.Revision);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }
}
