using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace KefuSync.Stores.Tests.Migrations.PostgresHostApp
{
    /// <inheritdoc />
    public partial class PostgresHostAppInitial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "kefu");

            migrationBuilder.CreateTable(
                name: "kefu_client_ops",
                schema: "kefu",
                columns: table => new
                {
                    channel = table.Column<string>(type: "character varying(128)", unicode: false, maxLength: 128, nullable: false),
                    client_op_id = table.Column<string>(type: "character varying(64)", unicode: false, maxLength: 64, nullable: false),
                    revision = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_kefu_client_ops", x => new { x.channel, x.client_op_id });
                });

            migrationBuilder.CreateTable(
                name: "kefu_ops",
                schema: "kefu",
                columns: table => new
                {
                    channel = table.Column<string>(type: "character varying(128)", unicode: false, maxLength: 128, nullable: false),
                    revision = table.Column<long>(type: "bigint", nullable: false),
                    client_op_id = table.Column<string>(type: "character varying(64)", unicode: false, maxLength: 64, nullable: false),
                    author = table.Column<string>(type: "text", nullable: false),
                    timestamp = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    payload = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_kefu_ops", x => new { x.channel, x.revision });
                });

            migrationBuilder.CreateTable(
                name: "kefu_snapshots",
                schema: "kefu",
                columns: table => new
                {
                    channel = table.Column<string>(type: "character varying(128)", unicode: false, maxLength: 128, nullable: false),
                    revision = table.Column<long>(type: "bigint", nullable: false),
                    state = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_kefu_snapshots", x => x.channel);
                });

            migrationBuilder.CreateTable(
                name: "orders",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Product = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_orders", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "ux_kefu_client_ops_revision",
                schema: "kefu",
                table: "kefu_client_ops",
                columns: new[] { "channel", "revision" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "kefu_client_ops",
                schema: "kefu");

            migrationBuilder.DropTable(
                name: "kefu_ops",
                schema: "kefu");

            migrationBuilder.DropTable(
                name: "kefu_snapshots",
                schema: "kefu");

            migrationBuilder.DropTable(
                name: "orders");
        }
    }
}
