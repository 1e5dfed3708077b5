using KefuSync.EntityFrameworkCore.Model;

namespace Microsoft.EntityFrameworkCore;

/// <summary>Adds KefuSync's tables to a host's own <see cref="DbContext"/>.</summary>
public static class KefuSyncModelBuilderExtensions
{
    /// <summary>Longest channel name the contract allows.</summary>
    internal const int ChannelMaxLength = 128;

    /// <summary>Longest client op id the contract allows.</summary>
    internal const int ClientOpIdMaxLength = 64;

    /// <summary>Longest blob key the contract allows.</summary>
    internal const int BlobKeyMaxLength = 300;

    /// <summary>
    /// Adds the KefuSync tables to the model: <c>kefu_ops</c> (operations, PK channel + revision), <c>kefu_client_ops</c>
    /// (client op id → revision of the retained ops, PK channel + client_op_id, unique channel + revision),
    /// <c>kefu_client_sequences</c> (a sequenced client's high-water mark, PK channel + client; never trimmed),
    /// <c>kefu_snapshots</c> (PK channel), and for the blob store (attachments) <c>kefu_blobs</c> (PK key) and
    /// <c>kefu_blob_chunks</c> (PK blob id + sequence). Call it from <c>OnModelCreating</c>, then add a migration as usual.
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

        modelBuilder.Entity<ClientSequenceRow>(mark =>
        {
            mark.ToTable("kefu_client_sequences", schema);
            mark.HasKey(m => new { m.Channel, m.Client }).HasName("pk_kefu_client_sequences");
            mark.Property(m => m.Channel).HasColumnName("channel").HasMaxLength(ChannelMaxLength).IsUnicode(false);
            mark.Property(m => m.Client).HasColumnName("client").HasMaxLength(ClientOpIdMaxLength).IsUnicode(false);
            // Raising a mark is a compare-and-swap on the number it was read with.
            mark.Property(m => m.Number).HasColumnName("number").IsConcurrencyToken();
            mark.Property(m => m.Revision).HasColumnName("revision");
        });

        modelBuilder.Entity<SnapshotRow>(snapshot =>
        {
            snapshot.ToTable("kefu_snapshots", schema);
            snapshot.HasKey(s => s.Channel).HasName("pk_kefu_snapshots");
            snapshot.Property(s => s.Channel).HasColumnName("channel").HasMaxLength(ChannelMaxLength).IsUnicode(false);
            snapshot.Property(s => s.Revision).HasColumnName("revision");
            snapshot.Property(s => s.State).HasColumnName("state");
        });

        modelBuilder.Entity<BlobRow>(blob =>
        {
            blob.ToTable("kefu_blobs", schema);
            blob.HasKey(b => b.Key).HasName("pk_kefu_blobs");
            blob.Property(b => b.Key).HasColumnName("key").HasMaxLength(BlobKeyMaxLength).IsUnicode(false);
            blob.Property(b => b.BlobId).HasColumnName("blob_id").HasMaxLength(32).IsUnicode(false);
            blob.Property(b => b.Length).HasColumnName("length");
            blob.Property(b => b.ChunkCount).HasColumnName("chunk_count");
            blob.Property(b => b.ContentType).HasColumnName("content_type").HasMaxLength(200);
            blob.Property(b => b.Created).HasColumnName("created");
        });

        modelBuilder.Entity<BlobChunkRow>(chunk =>
        {
            chunk.ToTable("kefu_blob_chunks", schema);
            chunk.HasKey(c => new { c.BlobId, c.Sequence }).HasName("pk_kefu_blob_chunks");
            chunk.Property(c => c.BlobId).HasColumnName("blob_id").HasMaxLength(32).IsUnicode(false);
            chunk.Property(c => c.Sequence).HasColumnName("seq").ValueGeneratedNever();
            chunk.Property(c => c.Data).HasColumnName("data");
            chunk.Property(c => c.Written).HasColumnName("written");
        });

        return modelBuilder;
    }
}
