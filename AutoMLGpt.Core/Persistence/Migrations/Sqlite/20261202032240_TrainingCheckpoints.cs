using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AutoMLGpt.Core.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TrainingCheckpoints : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "CheckpointJson",
                table: "TrainingJobs",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "CheckpointJson",
                table: "TrainingJobs");
        }
    }
}
