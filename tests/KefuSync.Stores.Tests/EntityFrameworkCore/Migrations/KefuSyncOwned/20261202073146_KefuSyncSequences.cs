using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KefuSync.Stores.Tests.EntityFrameworkCore.Migrations.KefuSyncOwned
{
    /// <inheritdoc />
    public partial class KefuSyncSequences : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "kefu_client_sequences",
                columns: table => new
                {
                    channel = table.Column<string>(type: "TEXT", unicode: false, maxLength: 128, nullable: false),
                    client = table.Column<string>(type: "TEXT", unicode: false, maxLength: 64, nullable: false),
                    number = table.Column<long>(type: "INTEGER", nullable: false),
                    revision = table.Column<long>(type: "INTEGER", nullable: false)
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
                name: "kefu_client_sequences");
        }
    }
}
