using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AutoMLGpt.Core.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class TrainingJobClaims : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "CancelRequested",
                table: "TrainingJobs",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "ClaimedBy",
                table: "TrainingJobs",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "CancelRequested",
                table: "TrainingJobs");

            migrationBuilder.DropColumn(
                name: "ClaimedBy",
                table: "TrainingJobs");
        }
    }
}
