using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AutoMLGpt.Core.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class HistoryMetricColumns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<double>(
                name: "CurveFinal",
                table: "Stages",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "CurveHigherIsBetter",
                table: "Stages",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CurveMetric",
                table: "Stages",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            // Stage D rows saved before these columns: the same values, read from their JSON.
            migrationBuilder.Sql("""
                UPDATE "Stages" SET
                    "CurveMetric" = substr(json_extract("StructuredJson", '$.curve.metric'), 1, 100),
                    "CurveFinal" = CASE WHEN json_type("StructuredJson", '$.curve.final') IN ('real', 'integer') THEN json_extract("StructuredJson", '$.curve.final') END,
                    "CurveHigherIsBetter" = CASE json_type("StructuredJson", '$.curve.higherIsBetter') WHEN 'true' THEN 1 WHEN 'false' THEN 0 END
                WHERE "StructuredJson" IS NOT NULL AND json_valid("StructuredJson") AND json_type("StructuredJson", '$.curve') = 'object';
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "CurveFinal",
                table: "Stages");

            migrationBuilder.DropColumn(
                name: "CurveHigherIsBetter",
                table: "Stages");

            migrationBuilder.DropColumn(
                name: "CurveMetric",
                table: "Stages");
        }
    }
}
