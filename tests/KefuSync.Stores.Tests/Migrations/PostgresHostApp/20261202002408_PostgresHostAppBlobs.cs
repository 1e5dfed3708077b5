using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KefuSync.Stores.Tests.Migrations.PostgresHostApp
{
    /// <inheritdoc />
    public partial class PostgresHostAppBlobs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "kefu_blob_chunks",
                schema: "kefu",
                columns: table => new
                {
                    blob_id = table.Column<string>(type: "character varying(32)", unicode: false, maxLength: 32, nullable: false),
                    seq = table.Column<int>(type: "integer", nullable: false),
                    data = table.Column<byte[]>(type: "bytea", nullable: false),
                    written = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_kefu_blob_chunks", x => new { x.blob_id, x.seq });
                });

            migrationBuilder.CreateTable(
                name: "kefu_blobs",
                schema: "kefu",
                columns: table => new
                {
                    key = table.Column<string>(type: "character varying(300)", unicode: false, maxLength: 300, nullable: false),
                    blob_id = table.Column<string>(type: "character varying(32)", unicode: false, maxLength: 32, nullable: false),
                    length = table.Column<long>(type: "bigint", nullable: false),
                    chunk_count = table.Column<int>(type: "integer", nullable: false),
                    content_type = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    created = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_kefu_blobs", x => x.key);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "kefu_blob_chunks",
                schema: "kefu");

            migrationBuilder.DropTable(
                name: "kefu_blobs",
                schema: "kefu");
        }
    }
}
