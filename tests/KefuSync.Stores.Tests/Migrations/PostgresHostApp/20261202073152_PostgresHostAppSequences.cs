using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KefuSync.Stores.Tests.Migrations.PostgresHostApp
{
    /// <inheritdoc />
    public partial class PostgresHostAppSequences : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "kefu_client_sequences",
                schema: "kefu",
                columns: table => new
                {
                    channel = table.Column<string>(type: "character varying(128)", unicode: false, maxLength: 128, nullable: false),
                    client = table.Column<string>(type: "character varying(64)", unicode: false, maxLength: 64, nullable: false),
                    number = table.Column<long>(type: "bigint", nullable: false),
                    revision = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_kefu_client_sequences", x => new { x.channel, x.client });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "kefu_client_sequences",
                schema: "kefu");
        }
    }
}
