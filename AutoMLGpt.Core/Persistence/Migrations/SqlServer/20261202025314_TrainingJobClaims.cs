using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AutoMLGpt.Core.Persistence.Migrations.SqlServer
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
                type: "bit",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "ClaimedBy",
                table: "TrainingJobs",
                type: "nvarchar(200)",
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
