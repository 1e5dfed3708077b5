using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KefuSync.Stores.Tests.EntityFrameworkCore.Migrations.HostApp
{
    /// <inheritdoc />
    public partial class HostAppInitial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "kefu_client_ops",
                columns: table => new
                {
                    channel = table.Column<string>(type: "TEXT", unicode: false, maxLength: 128, nullable: false),
                    client_op_id = table.Column<string>(type: "TEXT", unicode: false, maxLength: 64, nullable: false),
                    revision = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_kefu_client_ops", x => new { x.channel, x.client_op_id });
                });

            migrationBuilder.CreateTable(
                name: "kefu_ops",
                columns: table => new
                {
                    channel = table.Column<string>(type: "TEXT", unicode: false, maxLength: 128, nullable: false),
                    revision = table.Column<long>(type: "INTEGER", nullable: false),
                    client_op_id = table.Column<string>(type: "TEXT", unicode: false, maxLength: 64, nullable: false),
                    author = table.Column<string>(type: "TEXT", nullable: false),
                    timestamp = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    payload = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_kefu_ops", x => new { x.channel, x.revision });
                });

            migrationBuilder.CreateTable(
                name: "kefu_snapshots",
                columns: table => new
                {
                    channel = table.Column<string>(type: "TEXT", unicode: false, maxLength: 128, nullable: false),
                    revision = table.Column<long>(type: "INTEGER", nullable: false),
                    state = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_kefu_snapshots", x => x.channel);
                });

            migrationBuilder.CreateTable(
                name: "orders",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Product = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_orders", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "ux_kefu_client_ops_revision",
                table: "kefu_client_ops",
                columns: new[] { "channel", "revision" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "kefu_client_ops");

            migrationBuilder.DropTable(
                name: "kefu_ops");

            migrationBuilder.DropTable(
                name: "kefu_snapshots");

            migrationBuilder.DropTable(
                name: "orders");
        }
    }
}
