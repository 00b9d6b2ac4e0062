using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AutoMLGpt.Core.Persistence.Migrations.Postgres
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
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "CurveHigherIsBetter",
                table: "Stages",
                type: "boolean",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CurveMetric",
                table: "Stages",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            // Stage D rows saved before these columns: the same values, read from their JSON.
            migrationBuilder.Sql("""
                UPDATE "Stages" SET
                    "CurveMetric" = left(("StructuredJson"::jsonb) #>> '{curve,metric}', 100),
                    "CurveFinal" = CASE WHEN jsonb_typeof(("StructuredJson"::jsonb) #> '{curve,final}') = 'number' THEN (("StructuredJson"::jsonb) #>> '{curve,final}')::double precision END,
                    "CurveHigherIsBetter" = CASE WHEN jsonb_typeof(("StructuredJson"::jsonb) #> '{curve,higherIsBetter}') = 'boolean' THEN (("StructuredJson"::jsonb) #>> '{curve,higherIsBetter}')::boolean END
                WHERE "StructuredJson" IS NOT NULL AND jsonb_typeof(("StructuredJson"::jsonb) -> 'curve') = 'object';
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
