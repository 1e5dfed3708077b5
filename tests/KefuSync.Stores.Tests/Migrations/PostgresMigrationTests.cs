using System.Text;
using KefuSync.Hosting;
using KefuSync.Stores.Tests.EntityFrameworkCore;
using KefuSync.Stores.Tests.Providers;
using KefuSync.Testing;
using KefuSync.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Stores.Tests.Migrations;

/// <summary>Builds a host on <see cref="PostgresHostAppDbContext"/> whose schema comes only from its committed migrations.</summary>
internal static class MigratedPostgresHost
{
    public static async Task<ServiceProvider> StartAsync(PostgresServerFixture server, string database)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContextFactory<PostgresHostAppDbContext>(o => o.UseNpgsql(server.ConnectionString(database)));
        new KefuSyncBuilder(services).AddEntityFrameworkStore<PostgresHostAppDbContext>(o => o.CreateSchemaOnStartup = false);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        try
        {
            await using (var db = await provider.GetRequiredService<IDbContextFactory<PostgresHostAppDbContext>>().CreateDbContextAsync())
            {
                // Creates the database on first use, then applies the migrations; a no-op when they are already applied.
                await db.Database.MigrateAsync();
            }

            await TestHosts.StartHostedServicesAsync(provider);
            return provider;
        }
        catch
        {
            await provider.DisposeAsync();
            throw;
        }
    }
}

/// <summary>
/// The whole store contract on PostgreSQL, on a database created by the host context's committed migrations (KefuSync
/// tables in the <c>kefu</c> schema), never by EnsureCreated or <c>CreateSchemaOnStartup</c>.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class MigratedPostgresHostContextSpecTests(PostgresServerFixture server) : OpStoreSpecification
{
    private ServiceProvider? _services;

    protected override async Task<IOpStore> CreateStoreAsync()
    {
        _services = await MigratedPostgresHost.StartAsync(server, "kefu_migrated_spec");
        return _services.GetRequiredService<IOpStore>();
    }

    protected override async Task DisposeStoreAsync(IOpStore store)
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresMigrationTests(PostgresServerFixture server)
{
    [Fact]
    public async Task CommittedPostgresMigrations_MatchTheCurrentModel()
    {
        // Fails when KefuSync's model (or this context's) changes without a new migration; regenerate as the file header says.
        await using var db = new PostgresHostAppDbContextFactory().CreateDbContext([]);
        Assert.False(db.Database.HasPendingModelChanges(), "PostgresHostAppDbContext has model changes without a migration");
    }

    [Fact]
    public async Task Migrations_CreateAFreshDatabase_WithTheHostTableAndKefuSchema_AndTheStoreWorksBesideTheHostsData()
    {
        var database = $"kefu_migrated_{Guid.NewGuid():N}"[..30];
        await using var provider = await MigratedPostgresHost.StartAsync(server, database);

        await using (var db = await provider.GetRequiredService<IDbContextFactory<PostgresHostAppDbContext>>().CreateDbContextAsync())
        {
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
            Assert.Contains(await db.Database.GetAppliedMigrationsAsync(), m => m.EndsWith("_PostgresHostAppInitial", StringComparison.Ordinal));

            var tables = await db.Database
                .SqlQueryRaw<string>(
                    "SELECT table_schema || '.' || table_name AS \"Value\" FROM information_schema.tables WHERE table_schema IN ('public', 'kefu')")
                .ToListAsync();
            Assert.Equal(
                ["kefu.kefu_blob_chunks", "kefu.kefu_blobs", "kefu.kefu_client_ops", "kefu.kefu_client_sequences", "kefu.kefu_ops", "kefu.kefu_snapshots", "public.__EFMigrationsHistory", "public.orders"],
                tables.Order(StringComparer.Ordinal));

            db.Orders.Add(new Order { Product = "茶叶" });
            await db.SaveChangesAsync();

            // Applying again is a no-op.
            await db.Database.MigrateAsync();
        }

        var store = provider.GetRequiredService<IOpStore>();
        var draft = new OpDraft("c-1", "a_1", DateTimeOffset.UtcNow, Encoding.UTF8.GetBytes("{\"k\":\"msg\",\"text\":\"你好\"}"));
        Assert.Equal(AppendResult.Appended(1), await store.AppendAsync("conv:pg", 0, draft));
        Assert.Equal(AppendResult.Duplicate(1), await store.AppendAsync("conv:pg", 1, draft));
        Assert.Equal(draft.Payload.ToArray(), Assert.Single(await store.ReadAsync("conv:pg", 0, 10)).Payload.ToArray());

        var snapshots = provider.GetRequiredService<ISnapshotStore>();
        await snapshots.SaveSnapshotAsync("note:pg", new Snapshot(3, Encoding.UTF8.GetBytes("\"abc\"")));
        Assert.Equal(3, (await snapshots.GetSnapshotAsync("note:pg"))!.Revision);

        await using (var db = await provider.GetRequiredService<IDbContextFactory<PostgresHostAppDbContext>>().CreateDbContextAsync())
        {
            Assert.Equal("茶叶", Assert.Single(await db.Orders.ToListAsync()).Product);
        }
    }
}
