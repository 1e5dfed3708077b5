using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace KefuSync.Stores.Tests.EntityFrameworkCore;

/// <summary>A host application's own DbContext: its own table, plus KefuSync's tables through <c>AddKefuSyncModel()</c>.</summary>
public sealed class HostAppDbContext(DbContextOptions<HostAppDbContext> options) : DbContext(options)
{
    public DbSet<Order> Orders => Set<Order>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Order>().ToTable("orders");
        modelBuilder.AddKefuSyncModel();
    }
}

/// <summary>The host's own entity, so the migration is a mixed one, as in a real app.</summary>
public sealed class Order
{
    public int Id { get; set; }

    public string Product { get; set; } = "";
}

/// <summary>Lets <c>dotnet ef</c> create the context at design time.</summary>
public sealed class HostAppDbContextFactory : IDesignTimeDbContextFactory<HostAppDbContext>
{
    public HostAppDbContext CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<HostAppDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

/// <summary>Lets <c>dotnet ef</c> create KefuSync's own context at design time, with migrations in this assembly.</summary>
public sealed class KefuSyncDbContextFactory : IDesignTimeDbContextFactory<KefuSync.EntityFrameworkCore.KefuSyncDbContext>
{
    public KefuSync.EntityFrameworkCore.KefuSyncDbContext CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<KefuSync.EntityFrameworkCore.KefuSyncDbContext>()
            .UseSqlite("Data Source=design-time.db", x => x.MigrationsAssembly(typeof(KefuSyncDbContextFactory).Assembly.GetName().Name))
            .Options);
}
