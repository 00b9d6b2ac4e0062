using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Engines.Offline;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.Reports;
using AutoMLGpt.Core.Training;
using AutoMLGpt.Core.TrainingJobs;
using AutoMLGpt.Tests.Fakes;

namespace AutoMLGpt.Tests.Core;

/// <summary>Overlaid curves with a mean ± sd band for groups: a race's candidates and repeated runs of one configuration.</summary>
[Trait(TestCategory.Name, TestCategory.Fast)]
public sealed class CurveGroupsTests
{
    private static readonly OfflineEngine Offline = new(new OfflineEngineOptions { StreamDelayMilliseconds = 0 });

    private static IReadOnlyList<(double X, double Y)> Curve(params double[] ys) => ys.Select((y, i) => ((double)(i + 1), y)).ToList();

    [Fact]
    public void TheBandIsTheMeanPlusMinusOneSampleSdWhereAtLeastTwoRunsHaveAValue()
    {
        var (mean, band) = CurveGroups.MeanBand("g", "#000", [Curve(0.80, 0.84, 0.86), Curve(0.82, 0.86), Curve(0.78, 0.85, 0.90)])!.Value;

        Assert.Equal([1.0, 2.0, 3.0], mean.X);
        Assert.Equal(0.80, mean.Y[0], 6);
        Assert.Equal(0.85, mean.Y[1], 6);
        Assert.Equal(0.88, mean.Y[2], 6); // step 3: two runs (the second stopped at step 2)
        Assert.Equal(0.80 - 0.02, band.Low[0], 6); // sd of 0.80, 0.82, 0.78 is 0.02
        Assert.Equal(0.88 + Math.Sqrt(0.0008), band.High[2], 6);
        Assert.Equal(3, band.Members);
        Assert.Null(CurveGroups.MeanBand("one", "#000", [Curve(0.8, 0.9)])); // one run is not a group
    }

    private static async Task<ExperimentDetails> RunAsync(TestDatabase db, ExperimentCards cards)
    {
        var plan = await db.Runner.PlanFirstRunAsync(cards, Offline);
        await foreach (var _ in db.Runner.RunAsync(plan, CancellationToken.None)) { }
        return (await db.Store.GetAsync(plan.ExperimentId))!;
    }

    private static ExperimentDetails WithHyperparameter(ExperimentDetails details, string name, string value)
    {
        var stage = details.Stage(StageKind.Hyperparameters)!;
        var table = stage.Output.Hyperparameters!.Where(h => h.Name != name).Append(new HyperparameterRow(name, value, "int", "", "")).ToList();
        return details with { Stages = details.Stages.Select(s => s.Stage == StageKind.Hyperparameters ? s with { Output = s.Output with { Hyperparameters = table } } : s).ToList() };
    }

    private static TrainingJobView Trained(ExperimentDetails details, IReadOnlyList<IterationMetrics> curve, IReadOnlyList<RaceResult>? race = null) =>
        new(Guid.NewGuid(), details.Id, details.Revision, RunStatus.Succeeded, null, "", curve,
            new TrainingResult(new TestMetrics(0.87, null, null, null, null, null, 100), curve.Count, curve.Count, 1, "70/15/15", [], "accuracy") { Race = race ?? [] },
            "accuracy", 0.87, 0.87, true, DateTime.UtcNow, DateTime.UtcNow, DateTime.UtcNow, DateTime.UtcNow, null);

    private static IReadOnlyList<IterationMetrics> Iterations(string? candidate, params double[] metric) =>
        metric.Select((m, i) => new IterationMetrics(i + 1, 0.5, 0.5, m) { Candidate = candidate }).ToList();

    [Fact]
    public async Task RepeatsOfOneConfigurationDifferingOnlyInTheSeedBecomeOneMeanWithABandAndOthersStayLines()
    {
        await using var db = await TestDatabase.CreateAsync();
        var adult = await RunAsync(db, PaperExamples.Adult.Create());
        var again = WithHyperparameter(await RunAsync(db, PaperExamples.Adult.Create()), "seed", "7");
        var other = WithHyperparameter(await RunAsync(db, PaperExamples.Adult.Create()), "learning_rate", "0.5");
        var items = new List<ReviewedExperiment>
        {
            new(WithHyperparameter(adult, "seed", "1"), [Trained(adult, Iterations(null, 0.80, 0.85, 0.86))]),
            new(again, [Trained(again, Iterations(null, 0.82, 0.87, 0.88))]),
            new(other, [Trained(other, Iterations(null, 0.70, 0.72, 0.71))]),
        };
        Assert.Equal(CurveGroups.ConfigurationKey(items[0]), CurveGroups.ConfigurationKey(items[1]));
        Assert.NotEqual(CurveGroups.ConfigurationKey(items[0]), CurveGroups.ConfigurationKey(items[2]));

        var grouped = CurveGroups.For(items, groupRepeats: true);
        var band = Assert.Single(grouped.Bands);
        Assert.Equal(2, band.Members);
        Assert.Contains(grouped.Lines, l => l.Name == "#1,#2 real mean ± sd (2 runs)" && Math.Abs(l.Y[2] - 0.87) < 1e-9);
        Assert.Contains(grouped.Lines, l => l.Name == "#3 real");

        var separate = CurveGroups.For(items, groupRepeats: false);
        Assert.Empty(separate.Bands);
        Assert.Equal(3, separate.Lines.Count(l => l.Name.EndsWith(" real")));
    }

    [Fact]
    public async Task ARacesWinnerIsItsRealCurveAndItsCandidatesADrawnBand()
    {
        await using var db = await TestDatabase.CreateAsync();
        var adult = await RunAsync(db, PaperExamples.Adult.Create());
        var curve = Iterations("defaults", 0.80, 0.82).Concat(Iterations("zero-shot", 0.83, 0.86)).Concat(Iterations("wide", 0.75)).ToList();
        var race = new[] { "defaults", "zero-shot", "wide" }.Select(c => new RaceResult(c, "", "", new Dictionary<string, string>(), 0.8, 0.8, 2, 1, c == "zero-shot")).ToList();
        var item = new ReviewedExperiment(adult, [Trained(adult, curve, race)]);

        Assert.Equal([0.83, 0.86], CurveGroups.RealCurve(item).Select(p => p.Y));
        var chart = CurveGroups.For([item, item], groupRepeats: false);
        Assert.Equal(2, chart.Bands.Count);
        Assert.Equal(3, chart.Bands[0].Members);

        var svg = SvgLineChart.Render(chart.Lines, "iteration", bands: chart.Bands, yLabel: "accuracy");
        Assert.Contains("class=\"group-band\"", svg);
        Assert.Contains(System.Net.WebUtility.HtmlEncode("#1 race candidates mean ± sd (3 runs)"), svg); // its legend entry
        Assert.Contains("<title>#1 real · iteration 2: 0.86</title>", svg);       // a point's tooltip
        Assert.Contains(">accuracy</text>", svg);                                 // the y axis says what it measures
    }
}
