using KefuSync.EntityFrameworkCore.Model;

namespace Microsoft.EntityFrameworkCore;

/// <summary>Adds KefuSync's tables to a host's own <see cref="DbContext"/>.</summary>
public static class KefuSyncModelBuilderExtensions
{
    /// <summary>Longest channel name the contract allows.</summary>
    internal const int ChannelMaxLength = 128;

    /// <summary>Longest client op id the contract allows.</summary>
    internal const int ClientOpIdMaxLength = 64;

    /// <summary>
    /// Adds the KefuSync tables to the model: <c>kefu_ops</c> (operations, PK channel + revision), <c>kefu_client_ops</c>
    /// (client op id → revision, PK channel + client_op_id, unique channel + revision; never trimmed) and
    /// <c>kefu_snapshots</c> (PK channel). Call it from <c>OnModelCreating</c>, then add a migration as usual.
    /// </summary>
    /// <param name="modelBuilder">The model builder passed to <c>OnModelCreating</c>.</param>
    /// <param name="schema">Optional database schema for the tables (e.g. <c>kefu</c> on PostgreSQL); null for the default.</param>
    /// <returns>The same model builder.</returns>
    public static ModelBuilder AddKefuSyncModel(this ModelBuilder modelBuilder, string? schema = null)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);

        modelBuilder.Entity<OpRow>(op =>
        {
            op.ToTable("kefu_ops", schema);
            op.HasKey(o => new { o.Channel, o.Revision }).HasName("pk_kefu_ops");
            op.Property(o => o.Channel).HasColumnName("channel").HasMaxLength(ChannelMaxLength).IsUnicode(false);
            // The store assigns revisions; never let the database generate them.
            op.Property(o => o.Revision).HasColumnName("revision").ValueGeneratedNever();
            op.Property(o => o.ClientOpId).HasColumnName("client_op_id").HasMaxLength(ClientOpIdMaxLength).IsUnicode(false);
            op.Property(o => o.Author).HasColumnName("author");
            op.Property(o => o.Timestamp).HasColumnName("timestamp");
            op.Property(o => o.Payload).HasColumnName("payload");
        });

        modelBuilder.Entity<ClientOpRow>(id =>
        {
            id.ToTable("kefu_client_ops", schema);
            id.HasKey(c => new { c.Channel, c.ClientOpId }).HasName("pk_kefu_client_ops");
            id.HasIndex(c => new { c.Channel, c.Revision }).IsUnique().HasDatabaseName("ux_kefu_client_ops_revision");
            id.Property(c => c.Channel).HasColumnName("channel").HasMaxLength(ChannelMaxLength).IsUnicode(false);
            id.Property(c => c.ClientOpId).HasColumnName("client_op_id").HasMaxLength(ClientOpIdMaxLength).IsUnicode(false);
            id.Property(c => c.Revision).HasColumnName("revision").ValueGeneratedNever();
        });

        modelBuilder.Entity<SnapshotRow>(snapshot =>
        {
            snapshot.ToTable("kefu_snapshots", schema);
            snapshot.HasKey(s => s.Channel).HasName("pk_kefu_snapshots");
            snapshot.Property(s => s.Channel).HasColumnName("channel").HasMaxLength(ChannelMaxLength).IsUnicode(false);
            snapshot.Property(s => s.Revision).HasColumnName("revision");
            snapshot.Property(s => s.State).HasColumnName("state");
        });

        return modelBuilder;
    }
}
