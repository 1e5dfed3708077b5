using Microsoft.EntityFrameworkCore;

namespace KefuSync.EntityFrameworkCore;

/// <summary>
/// The DbContext KefuSync owns when the host does not bring its own: it holds only the KefuSync tables
/// (see <see cref="KefuSyncModelBuilderExtensions.AddKefuSyncModel"/>). Configure it with
/// <c>builder.AddEntityFrameworkStore(options =&gt; options.UseNpgsql(...))</c>; to manage its schema with migrations,
/// run <c>dotnet ef migrations add ... --context KefuSyncDbContext</c> in the host project with
/// <c>MigrationsAssembly</c> set to it.
/// </summary>
public sealed class KefuSyncDbContext : DbContext
{
    /// <summary>Creates the context; use the registered factory rather than calling this directly.</summary>
    /// <param name="options">Options built by <c>AddEntityFrameworkStore</c>.</param>
    public KefuSyncDbContext(DbContextOptions<KefuSyncDbContext> options)
        : base(options)
    {
    }

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddKefuSyncModel();
    }
}
