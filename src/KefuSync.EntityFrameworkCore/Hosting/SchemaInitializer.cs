using System.Data.Common;
using KefuSync.EntityFrameworkCore.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KefuSync.EntityFrameworkCore.Hosting;

/// <summary>
/// Creates the KefuSync tables at startup when <see cref="KefuSyncEntityFrameworkOptions.CreateSchemaOnStartup"/> is set.
/// </summary>
/// <remarks>
/// <c>EnsureCreated</c> alone does nothing in a database that already has tables, which is the normal case for a shared
/// PostgreSQL database. So: EnsureCreated (creates the database and every table of an empty one); if that did nothing and
/// the KefuSync tables are still missing, create the context's tables. For <see cref="KefuSyncDbContext"/> those are only
/// KefuSync's. For a host context whose other tables exist, that fails, and the error says to use migrations.
/// </remarks>
internal sealed partial class SchemaInitializer<TContext>(
    IDbContextFactory<TContext> factory,
    IOptions<KefuSyncEntityFrameworkOptions> options,
    ILogger<SchemaInitializer<TContext>> logger) : IHostedService
    where TContext : DbContext
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        options.Value.CreateSchemaOnStartup ? EnsureSchemaAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        if (await db.Database.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false))
        {
            Log.DatabaseCreated(logger, typeof(TContext).Name);
            return;
        }

        if (await TablesExistAsync(db, cancellationToken).ConfigureAwait(false))
        {
            var added = false;
            if (!await BlobTablesExistAsync(db, cancellationToken).ConfigureAwait(false))
            {
                // A database created by a version before attachments: add the two blob tables alone.
                await CreateTablesNamedAsync(db, "kefu_blob", cancellationToken).ConfigureAwait(false);
                added = true;
            }

            if (!await SequenceTableExistsAsync(db, cancellationToken).ConfigureAwait(false))
            {
                // A database created by a version before sequenced text ids (IOpStore rule 3): add the marks table alone.
                await CreateTablesNamedAsync(db, "kefu_client_sequences", cancellationToken).ConfigureAwait(false);
                added = true;
            }

            if (added)
            {
                Log.TablesCreated(logger, typeof(TContext).Name);
            }
            else
            {
                Log.SchemaPresent(logger);
            }

            return;
        }

        try
        {
            await db.GetService<IRelationalDatabaseCreator>().CreateTablesAsync(cancellationToken).ConfigureAwait(false);
            Log.TablesCreated(logger, typeof(TContext).Name);
        }
        catch (DbException ex)
        {
            if (await TablesExistAsync(db, cancellationToken).ConfigureAwait(false))
            {
                // Another node created them at the same moment.
                Log.SchemaPresent(logger);
                return;
            }

            throw new InvalidOperationException(
                $"Could not create the KefuSync tables for {typeof(TContext).Name}: the database already has other tables. " +
                "Add the tables with an EF Core migration (modelBuilder.AddKefuSyncModel() is in the model) instead of CreateSchemaOnStartup.",
                ex);
        }
    }

    private static async Task<bool> BlobTablesExistAsync(TContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.Set<BlobRow>().AsNoTracking().AnyAsync(cancellationToken).ConfigureAwait(false);
            await db.Set<BlobChunkRow>().AsNoTracking().AnyAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DbException)
        {
            return false;
        }
    }

    private static async Task<bool> SequenceTableExistsAsync(TContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.Set<ClientSequenceRow>().AsNoTracking().AnyAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DbException)
        {
            return false;
        }
    }

    /// <summary>Runs the statements of the context's create script that name <paramref name="table"/> (its tables and keys).</summary>
    private static async Task CreateTablesNamedAsync(TContext db, string table, CancellationToken cancellationToken)
    {
        var statements = db.Database.GenerateCreateScript()
            .Split(";", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(s => s.Contains(table, StringComparison.Ordinal));
        foreach (var statement in statements)
        {
#pragma warning disable EF1002 // The statements come from EF Core's own create script, not from input.
            await db.Database.ExecuteSqlRawAsync(statement, cancellationToken).ConfigureAwait(false);
#pragma warning restore EF1002
        }
    }

    private static async Task<bool> TablesExistAsync(TContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.Set<ClientOpRow>().AsNoTracking().AnyAsync(cancellationToken).ConfigureAwait(false);
            await db.Set<OpRow>().AsNoTracking().AnyAsync(cancellationToken).ConfigureAwait(false);
            await db.Set<SnapshotRow>().AsNoTracking().AnyAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DbException)
        {
            return false;
        }
    }
}
