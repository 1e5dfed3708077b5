using System.Text;
using KefuSync.EntityFrameworkCore;
using KefuSync.Hosting;
using KefuSync.Stores.Tests.Providers;
using KefuSync.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
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

    /// <summary>
    /// A database migrated before sequenced text ids existed, holding text ops, migrates to the marks table: the ids
    /// committed before still dedupe (also as sequenced resends), new ops get marks, and a trim forgets the old ids.
    /// </summary>
    [Fact]
    public async Task ADatabaseFromBeforeSequences_Migrates_AndItsOpsStillDedupe()
    {
        var directory = Directory.CreateTempSubdirectory("kefu-upgrade-").FullName;
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContextFactory<HostAppDbContext>(o => o.UseSqlite($"Data Source={Path.Combine(directory, "host.db")}"));
        new KefuSyncBuilder(services).AddEntityFrameworkStore<HostAppDbContext>(o => o.CreateSchemaOnStartup = false);
        await using (var provider = services.BuildServiceProvider())
        {
            var factory = provider.GetRequiredService<IDbContextFactory<HostAppDbContext>>();
            await using (var db = await factory.CreateDbContextAsync())
            {
                await db.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>().MigrateAsync(PreviousMigration);
                Assert.Contains(NewMigration, await db.Database.GetPendingMigrationsAsync());

                // Text ops as the previous version stored them: one kefu_client_ops row per op, the sequences table absent.
                for (var i = 1; i <= 3; i++)
                {
                    await db.Database.ExecuteSqlRawAsync(
                        "INSERT INTO kefu_client_ops (channel, client_op_id, revision) VALUES ('draft:u', {0}, {1}); " +
                        "INSERT INTO kefu_ops (channel, revision, client_op_id, author, timestamp, payload) VALUES ('draft:u', {1}, {0}, 'agent:1', '2026-01-01 00:00:00+00:00', X'5B2278225D')",
                        $"tab-{i}", i);
                }

                await db.Database.MigrateAsync();
                Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            }

            var store = provider.GetRequiredService<IOpStore>();
            Assert.Equal(3, await store.GetRevisionAsync("draft:u"));
            var resend = new OpDraft("tab-2", "agent:1", DateTimeOffset.UtcNow, "[\"x\"]"u8.ToArray()) { Sequence = new OpSequence("tab", 2) };
            Assert.Equal(AppendResult.Duplicate(2), await store.AppendAsync("draft:u", 3, resend));
            var next = new OpDraft("tab-4", "agent:1", DateTimeOffset.UtcNow, "[3,\"y\"]"u8.ToArray()) { Sequence = new OpSequence("tab", 4) };
            Assert.Equal(AppendResult.Appended(4), await store.AppendAsync("draft:u", 3, next));
            Assert.Equal(AppendResult.Duplicate(4), await store.AppendAsync("draft:u", 0, next));

            var snapshots = provider.GetRequiredService<ISnapshotStore>();
            await snapshots.SaveSnapshotAsync("draft:u", new Snapshot(4, "\"xy\""u8.ToArray()));
            Assert.Equal(4, await snapshots.TrimAsync("draft:u", 4));
            Assert.Null(await store.FindClientOpAsync("draft:u", "tab-1"));
            Assert.Equal(4, await store.FindDuplicateAsync("draft:u", "tab-3", new OpSequence("tab", 3)));
            Assert.Equal(4, await store.GetRevisionAsync("draft:u"));
            await using var check = await factory.CreateDbContextAsync();
            Assert.Equal(1, await check.Database.SqlQueryRaw<int>("SELECT COUNT(*) AS \"Value\" FROM kefu_client_ops WHERE channel = 'draft:u'").SingleAsync());
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }

    /// <summary>A database that CreateSchemaOnStartup made before sequenced ids gets the marks table at the next start.</summary>
    [Fact]
    public async Task CreateSchemaOnStartup_AddsTheSequencesTable_ToADatabaseFromBefore()
    {
        var directory = Directory.CreateTempSubdirectory("kefu-startup-").FullName;
        var cs = $"Data Source={Path.Combine(directory, "kefu.db")}";
        await using (var first = await TestHosts.EntityFrameworkAsync(o => o.UseSqlite(cs)))
        {
            await using var db = await first.GetRequiredService<IDbContextFactory<KefuSyncDbContext>>().CreateDbContextAsync();
            await db.Database.ExecuteSqlRawAsync("DROP TABLE kefu_client_sequences");
        }

        await using (var second = await TestHosts.EntityFrameworkAsync(o => o.UseSqlite(cs)))
        {
            var store = second.GetRequiredService<IOpStore>();
            var op = new OpDraft("tab-1", "agent:1", DateTimeOffset.UtcNow, "[\"x\"]"u8.ToArray()) { Sequence = new OpSequence("tab", 1) };
            Assert.Equal(AppendResult.Appended(1), await store.AppendAsync("draft:s", 0, op));
            Assert.Equal(AppendResult.Duplicate(1), await store.AppendAsync("draft:s", 1, op));
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }

    private const string PreviousMigration = "20261202002332_HostAppBlobs";

    private const string NewMigration = "20261202073142_HostAppSequences";

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
