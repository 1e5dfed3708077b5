using KefuSync.Stores.Tests.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace KefuSync.Stores.Tests.Migrations;

/// <summary>
/// The PostgreSQL flavour of a host's own DbContext: its own <c>orders</c> table plus KefuSync's tables in the <c>kefu</c>
/// schema (<c>AddKefuSyncModel("kefu")</c>). A separate type from the SQLite <see cref="HostAppDbContext"/>, because EF keys
/// a migration set on the context type and the two providers need different migrations.
/// </summary>
public sealed class PostgresHostAppDbContext(DbContextOptions<PostgresHostAppDbContext> options) : DbContext(options)
{
    /// <summary>The schema of the KefuSync tables.</summary>
    public const string KefuSchema = "kefu";

    public DbSet<Order> Orders => Set<Order>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Order>().ToTable("orders");
        modelBuilder.AddKefuSyncModel(KefuSchema);
    }
}

/// <summary>Lets <c>dotnet ef</c> create the context at design time (no server is contacted by <c>migrations add</c>).</summary>
public sealed class PostgresHostAppDbContextFactory : IDesignTimeDbContextFactory<PostgresHostAppDbContext>
{
    public PostgresHostAppDbContext CreateDbContext(string[] args) => Create("Host=127.0.0.1;Database=kefu_design_time;Username=postgres");

    /// <summary>The same options the design-time tools use, on a real connection string.</summary>
    public static PostgresHostAppDbContext Create(string connectionString)
        => new(new DbContextOptionsBuilder<PostgresHostAppDbContext>().UseNpgsql(connectionString).Options);
}
