using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Tests.Fakes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace AutoMLGpt.Tests.Core;

/// <summary>History filters, sorts and pages in the database: an old experiment is found however many newer ones there are.</summary>
[Trait(TestCategory.Name, TestCategory.Fast)]
public sealed class HistoryQueryTests
{
    private static readonly DateTime Start = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static StageOutput Predicted(string metric, double final, bool higherIsBetter = true) =>
        new(StageKind.TrainingLog, $"predicted {metric} {final}", Curve: new PredictedCurve(metric, higherIsBetter, "epoch", [new CurvePoint(1, 0.5, final)], final, final - 0.01, final + 0.01, "test"));

    // Experiments with ascending creation times, inserted in one save (the store's CreateAsync would take minutes for 1,200).
    private static async Task<List<Guid>> SeedAsync(TestDatabase db, int count)
    {
        var ids = Enumerable.Range(0, count).Select(_ => Guid.NewGuid()).ToList();
        await using var context = await db.Factory.CreateDbContextAsync();
        for (var i = 0; i < count; i++)
            context.Experiments.Add(new ExperimentEntity
            {
                Id = ids[i], Name = $"run {i}", DatasetName = i == 0 ? "Oldest dataset" : $"dataset {i % 7}", ModelName = "LightGBM", Engine = "offline engine",
                Status = RunStatus.Succeeded, CardsJson = "{}", CreatedUtc = Start.AddMinutes(i), UpdatedUtc = Start.AddMinutes(i),
            });
        await context.SaveChangesAsync();
        return ids;
    }

    [Fact]
    public async Task TheOldestOf1200ExperimentsIsFoundByItsMetricSortedFirstAndOnTheLastPage()
    {
        await using var db = await TestDatabase.CreateAsync();
        var ids = await SeedAsync(db, 1200);
        await db.Store.SaveStageAsync(ids[0], 1, StageKind.TrainingLog, RunStatus.Succeeded, Predicted("accuracy", 0.97), null);
        for (var i = 1; i < 1200; i += 10)
            await db.Store.SaveStageAsync(ids[i], 1, StageKind.TrainingLog, RunStatus.Succeeded, Predicted(i % 20 == 1 ? "RMSE" : "accuracy", 0.70 + i / 100_000.0, i % 20 != 1), null);

        var above = await db.Store.QueryAsync(new HistoryQuery(MetricName: "Accuracy", MetricMin: 0.9, Take: 50));
        Assert.Equal(ids[0], Assert.Single(above).Id);
        Assert.Equal(0.97, above[0].Predicted);

        var best = await db.Store.QueryAsync(new HistoryQuery(MetricName: "accuracy", Sort: HistorySort.Metric, Take: 5));
        Assert.Equal(ids[0], best[0].Id);
        Assert.True(best.Zip(best.Skip(1)).All(p => p.First.Metric >= p.Second.Metric), "best first");

        // Lower is better for RMSE: the smallest ranks first when sorted best first.
        var rmse = await db.Store.QueryAsync(new HistoryQuery(MetricName: "rmse", Sort: HistorySort.Metric, Take: 100));
        Assert.Equal(60, rmse.Count);
        Assert.Equal(rmse.Select(r => r.Metric).Order(), rmse.Select(r => r.Metric));

        Assert.Equal(1200, await db.Store.CountAsync(new HistoryQuery()));
        var lastPage = await db.Store.QueryAsync(new HistoryQuery(Skip: 1150, Take: 50));
        Assert.Equal(50, lastPage.Count);
        Assert.Equal(ids[0], lastPage[^1].Id);
        var pages = new List<Guid>();
        for (var skip = 0; skip < 1200; skip += 500) pages.AddRange((await db.Store.QueryAsync(new HistoryQuery(Skip: skip, Take: 500))).Select(r => r.Id));
        Assert.Equal(1200, pages.Distinct().Count()); // pages never overlap or skip one

        var byDataset = await db.Store.QueryAsync(new HistoryQuery(Sort: HistorySort.Dataset, Descending: false, Take: 1));
        Assert.Equal("dataset 0", byDataset[0].DatasetName); // "dataset …" before "Oldest …", case-insensitively
        var search = await db.Store.QueryAsync(new HistoryQuery(Search: "oldest", Take: 10));
        Assert.Equal(ids[0], Assert.Single(search).Id);
    }

    [Fact]
    public async Task StageDPredictionsSavedBeforeTheMetricColumnsAreFilledInByTheMigration()
    {
        await using var db = await TestDatabase.CreateAsync();
        var ids = await SeedAsync(db, 3);
        await db.Store.SaveStageAsync(ids[1], 1, StageKind.TrainingLog, RunStatus.Succeeded, Predicted("AUC", 0.91), null);
        await db.Store.SaveStageAsync(ids[2], 1, StageKind.TrainingLog, RunStatus.Succeeded, Predicted("RMSE", 3.5, higherIsBetter: false), null);

        // Back to the schema before the columns (they are dropped), then forward again: the migration reads them from the JSON.
        await using (var context = await db.Factory.CreateDbContextAsync())
        {
            var migrator = context.GetService<IMigrator>();
            var migrations = context.Database.GetMigrations().ToList();
            var columns = migrations.FindIndex(m => m.EndsWith("_HistoryMetricColumns", StringComparison.Ordinal));
            await migrator.MigrateAsync(migrations[columns - 1]);
            await migrator.MigrateAsync();
        }

        var auc = await db.Store.QueryAsync(new HistoryQuery(MetricName: "auc", MetricMin: 0.9));
        Assert.Equal(ids[1], Assert.Single(auc).Id);
        var rmse = Assert.Single(await db.Store.QueryAsync(new HistoryQuery(MetricName: "rmse")));
        Assert.Equal((ids[2], 3.5, false), (rmse.Id, rmse.Predicted!.Value, rmse.HigherIsBetter));
    }
}
