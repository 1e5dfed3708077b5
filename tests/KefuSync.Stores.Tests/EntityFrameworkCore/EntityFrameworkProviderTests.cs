using KefuSync.EntityFrameworkCore;
using KefuSync.EntityFrameworkCore.Model;
using KefuSync.EntityFrameworkCore.Stores;
using KefuSync.Hosting;
using KefuSync.Stores.Tests.Providers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Stores.Tests.EntityFrameworkCore;

/// <summary>EF-specific behaviour: the table layout, a host-owned DbContext, and the errors that name the fix.</summary>
public sealed class EntityFrameworkProviderTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "kefu-ef-" + Guid.NewGuid().ToString("N")[..12]);

    public EntityFrameworkProviderTests() => Directory.CreateDirectory(_directory);

    private string Sqlite(string name) => $"Data Source={Path.Combine(_directory, name)}";

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public void Model_HasTheDocumentedTablesKeysAndColumns()
    {
        using var db = new KefuSyncDbContext(new DbContextOptionsBuilder<KefuSyncDbContext>().UseSqlite("Data Source=:memory:").Options);

        var ops = db.Model.FindEntityType(typeof(OpRow))!;
        Assert.Equal("kefu_ops", ops.GetTableName());
        Assert.Equal(["channel", "revision"], ops.FindPrimaryKey()!.Properties.Select(p => p.GetColumnName()));
        Assert.Equal(["channel", "revision", "client_op_id", "author", "timestamp", "payload"], ops.GetProperties().Select(p => p.GetColumnName()).OrderBy(OrderOf));

        var ids = db.Model.FindEntityType(typeof(ClientOpRow))!;
        Assert.Equal("kefu_client_ops", ids.GetTableName());
        Assert.Equal(["channel", "client_op_id"], ids.FindPrimaryKey()!.Properties.Select(p => p.GetColumnName()));
        var revisionIndex = Assert.Single(ids.GetIndexes());
        Assert.True(revisionIndex.IsUnique);
        Assert.Equal(["channel", "revision"], revisionIndex.Properties.Select(p => p.GetColumnName()));

        var snapshots = db.Model.FindEntityType(typeof(SnapshotRow))!;
        Assert.Equal("kefu_snapshots", snapshots.GetTableName());
        Assert.Equal(["channel"], snapshots.FindPrimaryKey()!.Properties.Select(p => p.GetColumnName()));

        static int OrderOf(string column) => Array.IndexOf(["channel", "revision", "client_op_id", "author", "timestamp", "payload"], column);
    }

    [Fact]
    public async Task HostOwnedContext_WithAddKefuSyncModel_Works()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContextFactory<HostDbContext>(o => o.UseSqlite(Sqlite("host.db")));
        new KefuSyncBuilder(services).AddEntityFrameworkStore<HostDbContext>(o => o.CreateSchemaOnStartup = true);
        await using var provider = services.BuildServiceProvider();
        await TestHosts.StartHostedServicesAsync(provider);

        var store = provider.GetRequiredService<IOpStore>();
        Assert.IsType<EntityFrameworkOpStore<HostDbContext>>(store);
        Assert.Equal(AppendResult.Appended(1), await store.AppendAsync("c", 0, new OpDraft("a", "v", DateTimeOffset.UnixEpoch, "{}"u8.ToArray())));

        // The host's own tables live beside KefuSync's.
        await using var db = await provider.GetRequiredService<IDbContextFactory<HostDbContext>>().CreateDbContextAsync();
        db.Orders.Add(new HostOrder { Id = 1, Name = "first" });
        await db.SaveChangesAsync();
        Assert.Equal(1, await db.Set<ClientOpRow>().CountAsync());
    }

    [Fact]
    public async Task OwnContext_CreatesItsTables_InADatabaseThatAlreadyHasOtherTables()
    {
        var connection = Sqlite("shared.db");
        await using (var host = new HostOnlyDbContext(new DbContextOptionsBuilder<HostOnlyDbContext>().UseSqlite(connection).Options))
        {
            await host.Database.EnsureCreatedAsync();
        }

        await using var provider = await TestHosts.EntityFrameworkAsync(o => o.UseSqlite(connection));
        var store = provider.GetRequiredService<IOpStore>();
        Assert.Equal(AppendResult.Appended(1), await store.AppendAsync("c", 0, new OpDraft("a", "v", DateTimeOffset.UnixEpoch, "{}"u8.ToArray())));

        // Starting again (another node, a restart) finds the tables and leaves them alone.
        await TestHosts.StartHostedServicesAsync(provider);
        Assert.Equal(1, await store.GetRevisionAsync("c"));
    }

    [Fact]
    public async Task ContextWithoutTheKefuSyncModel_FailsWithAMessageNamingTheFix()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContextFactory<HostOnlyDbContext>(o => o.UseSqlite(Sqlite("nomodel.db")));
        new KefuSyncBuilder(services).AddEntityFrameworkStore<HostOnlyDbContext>();
        await using var provider = services.BuildServiceProvider();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => provider.GetRequiredService<IOpStore>().GetRevisionAsync("c"));
        Assert.Contains("AddKefuSyncModel()", error.Message);
    }

    [Fact]
    public async Task ContextWithoutAFactory_FailsWithAMessageNamingTheFix()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContext<HostDbContext>(o => o.UseSqlite(Sqlite("nofactory.db")));
        new KefuSyncBuilder(services).AddEntityFrameworkStore<HostDbContext>();
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IOpStore>());
        Assert.Contains("AddDbContextFactory<HostDbContext>", error.Message);
    }

    public sealed class HostOrder
    {
        public int Id { get; set; }

        public string Name { get; set; } = "";
    }

    public sealed class HostDbContext(DbContextOptions<HostDbContext> options) : DbContext(options)
    {
        public DbSet<HostOrder> Orders => Set<HostOrder>();

        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddKefuSyncModel();
    }

    public sealed class HostOnlyDbContext(DbContextOptions<HostOnlyDbContext> options) : DbContext(options)
    {
        public DbSet<HostOrder> Orders => Set<HostOrder>();
    }
}
