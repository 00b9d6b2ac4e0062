using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Engines.Offline;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.Reports;
using AutoMLGpt.Tests.Fakes;

namespace AutoMLGpt.Tests.Core;

[Trait(TestCategory.Name, TestCategory.Fast)]
public class HistoryQuestionTests
{
    private static readonly DateTime Now = new(2026, 12, 2, 10, 0, 0, DateTimeKind.Utc); // a Wednesday

    [Fact]
    public void TheIssuesExampleQuestionsBecomeFilters()
    {
        var bank = HistoryQuestion.Parse("bank datasets with AUC above 0.9 from this week", Now).Query;
        Assert.Equal(new HistoryQuery(Search: "bank", MetricName: "AUC", MetricMin: 0.9, FromUtc: new DateTime(2026, 11, 30, 0, 0, 0, DateTimeKind.Utc)), bank);

        var adult = HistoryQuestion.Parse("adult runs with accuracy above 0.87", Now);
        Assert.Equal(new HistoryQuery(Search: "adult", MetricName: "accuracy", MetricMin: 0.87), adult.Query);
        Assert.Contains("accuracy > 0.87", adult.Understood);
    }

    [Theory]
    [InlineData("failed runs tagged baseline", "Failed", "baseline")]
    [InlineData("#census successful experiments", "Succeeded", "census")]
    public void StatusAndTagWordsAreRecognised(string question, string status, string tag)
    {
        var q = HistoryQuestion.Parse(question, Now).Query;
        Assert.Equal(Enum.Parse<RunStatus>(status), q.Status);
        Assert.Equal(tag, q.Tag);
        Assert.Null(q.Search);
    }

    [Fact]
    public void LowerIsBetterMetricsTimeRangesAndPercentagesParse()
    {
        var q = HistoryQuestion.Parse("pinned concrete rmse below 5 in the last 7 days, best first", Now).Query;
        Assert.Equal(("RMSE", (double?)null, (double?)5), (q.MetricName, q.MetricMin, q.MetricMax));
        Assert.Equal(new DateTime(2026, 11, 26, 0, 0, 0, DateTimeKind.Utc), q.FromUtc);
        Assert.True(q.PinnedOnly);
        Assert.Equal(HistorySort.Metric, q.Sort);
        Assert.Equal("concrete", q.Search);
        Assert.Equal(0.87, HistoryQuestion.Parse("accuracy of at least 87%", Now).Query.MetricMin!.Value, 6);
    }

    [Fact]
    public void HostileTextIsOnlyEverSearchTextOrIgnored()
    {
        var result = HistoryQuestion.Parse("'; DROP TABLE Experiments; -- <script>alert(1)</script>" + new string('x', 1000), Now);
        Assert.Equal("DROP", result.Query.Search);
        Assert.Contains("TABLE", result.Ignored);
    }

    [Fact]
    public async Task TheMetricConditionFiltersTheStoredHistory()
    {
        await using var db = await TestDatabase.CreateAsync();
        var engine = new OfflineEngine(new OfflineEngineOptions { StreamDelayMilliseconds = 0 });
        foreach (var cards in new[] { PaperExamples.Adult.Create(), PaperExamples.Coco.Create() })
        {
            var plan = await db.Runner.PlanFirstRunAsync(cards, engine);
            await foreach (var _ in db.Runner.RunAsync(plan, CancellationToken.None)) { }
        }
        var all = await db.Store.QueryAsync(new HistoryQuery());
        var adult = all.Single(i => i.DatasetName == "UCI Adult");
        var predicted = adult.Metric!.Value;
        Assert.Single(await db.Store.QueryAsync(HistoryQuestion.Parse($"adult runs with accuracy above {predicted - 0.01:0.####}", Now).Query));
        Assert.Empty(await db.Store.QueryAsync(HistoryQuestion.Parse($"adult runs with accuracy above {predicted + 0.01:0.####}", Now).Query));
        Assert.Empty(await db.Store.QueryAsync(new HistoryQuery(MetricName: "AUC", MetricMin: 0))); // neither reports AUC
    }
}
