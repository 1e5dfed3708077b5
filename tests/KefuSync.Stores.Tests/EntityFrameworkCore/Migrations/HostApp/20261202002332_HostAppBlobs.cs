using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KefuSync.Stores.Tests.EntityFrameworkCore.Migrations.HostApp
{
    /// <inheritdoc />
    public partial class HostAppBlobs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "kefu_blob_chunks",
                columns: table => new
                {
                    blob_id = table.Column<string>(type: "TEXT", unicode: false, maxLength: 32, nullable: false),
                    seq = table.Column<int>(type: "INTEGER", nullable: false),
                    data = table.Column<byte[]>(type: "BLOB", nullable: false),
                    written = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_kefu_blob_chunks", x => new { x.blob_id, x.seq });
                });

            migrationBuilder.CreateTable(
                name: "kefu_blobs",
                columns: table => new
                {
                    key = table.Column<string>(type: "TEXT", unicode: false, maxLength: 300, nullable: false),
                    blob_id = table.Column<string>(type: "TEXT", unicode: false, maxLength: 32, nullable: false),
                    length = table.Column<long>(type: "INTEGER", nullable: false),
                    chunk_count = table.Column<int>(type: "INTEGER", nullable: false),
                    content_type = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    created = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
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
                name: "kefu_blob_chunks");

            migrationBuilder.DropTable(
                name: "kefu_blobs");
        }
    }
}
