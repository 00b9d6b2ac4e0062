using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AutoMLGpt.Core.Persistence.Migrations.SqlServer
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
                type: "float",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "CurveHigherIsBetter",
                table: "Stages",
                type: "bit",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CurveMetric",
                table: "Stages",
                type: "nvarchar(100)",
                maxLength: 100,
                nullable: true);

            // Stage D rows saved before these columns: the same values, read from their JSON.
            migrationBuilder.Sql("""
                UPDATE [Stages] SET
                    [CurveMetric] = LEFT(JSON_VALUE([StructuredJson], '$.curve.metric'), 100),
                    [CurveFinal] = TRY_CAST(JSON_VALUE([StructuredJson], '$.curve.final') AS float),
                    [CurveHigherIsBetter] = CASE JSON_VALUE([StructuredJson], '$.curve.higherIsBetter') WHEN 'true' THEN 1 WHEN 'false' THEN 0 END
                WHERE [StructuredJson] IS NOT NULL AND ISJSON([StructuredJson]) = 1 AND JSON_QUERY([StructuredJson], '$.curve') IS NOT NULL;
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
