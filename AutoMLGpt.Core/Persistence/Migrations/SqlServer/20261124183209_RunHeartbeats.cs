using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AutoMLGpt.Core.Persistence.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class RunHeartbeats : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "HeartbeatUtc",
                table: "Revisions",
                type: "datetime2",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "HeartbeatUtc",
                table: "ChatMessages",
                type: "datetime2",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "HeartbeatUtc",
                table: "Revisions");

            migrationBuilder.DropColumn(
                name: "HeartbeatUtc",
                table: "ChatMessages");
        }
    }
}
