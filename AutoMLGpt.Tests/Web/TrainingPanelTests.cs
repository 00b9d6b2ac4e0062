using AutoMLGpt.Core.Knowledge.Portfolio;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.Training;
using AutoMLGpt.Core.TrainingJobs;
using AutoMLGpt.Web.Components.Training;
using Bunit;

namespace AutoMLGpt.Tests.Web;

[Trait(TestCategory.Name, TestCategory.Fast)]
public class TrainingPanelTests : WebTestContext
{
    private static readonly PortfolioCandidate A = CandidateSpace.Defaults;
    private static readonly PortfolioCandidate B = CandidateSpace.AutoGluon2023[1];

    private static TrainingService.RacePreview Preview() => new(
        [new RaceEntry(A, A.Hyperparameters, "LightGBM's defaults: the baseline"), new RaceEntry(B, B.Hyperparameters, "the zero-shot choice")], 42);

    private static TrainingJobView Finished(TrainingResult result, IReadOnlyList<IterationMetrics> curve) => new(
        Guid.NewGuid(), Guid.NewGuid(), 1, RunStatus.Succeeded, null, "log", curve, result, "AUC", 0.9, 0.93, true,
        DateTime.UtcNow, DateTime.UtcNow, DateTime.UtcNow, DateTime.UtcNow, null) { Mode = TrainingModes.Race };

    [Fact]
    public void TheRaceButtonNamesItsCandidatesAndTimeAndStartsARace()
    {
        string? started = null;
        var cut = Render<TrainingPanel>(p => p.Add(x => x.Race, Preview()).Add(x => x.OnStart, (string mode) => started = mode).Add(x => x.OnCancel, () => { }));
        Assert.Equal("Race 2 candidates (about 42 s)", cut.Find("#start-race").TextContent.Trim());
        Assert.Contains("the zero-shot choice", cut.Find("#race-plan").TextContent);
        cut.Find("#start-race").Click();
        Assert.Equal(TrainingModes.Race, started);
        cut.Find("#start-training").Click();
        Assert.Equal(TrainingModes.Recommended, started);
    }

    [Fact]
    public void WithoutAResultsMatrixThereIsNoRaceButton()
    {
        var cut = Render<TrainingPanel>(p => p.Add(x => x.OnStart, (string _) => { }).Add(x => x.OnCancel, () => { }));
        Assert.Empty(cut.FindAll("#start-race"));
        Assert.NotEmpty(cut.FindAll("#start-training"));
    }

    [Fact]
    public void AFinishedRaceShowsEveryCandidatesCurveAndMarksTheOneKept()
    {
        var test = new TestMetrics(0.9, 0.93, 0.3, null, null, null, 100);
        var result = new TrainingResult(test, 40, 90, 1.2, "split", [], "AUC")
        {
            Race =
            [
                new RaceResult(A.Id, A.Origin, "baseline", A.Hyperparameters, 0.91, 0.92, 100, 0.2, false) { DroppedAtIteration = 100 },
                new RaceResult(B.Id, B.Origin, "zero-shot", B.Hyperparameters, 0.94, 0.93, 40, 1.0, true),
            ],
        };
        var curve = Enumerable.Range(1, 5).Select(i => new IterationMetrics(i, double.NaN, 0.5, 0.8 + i / 100.0) { Candidate = A.Id })
            .Concat(Enumerable.Range(1, 5).Select(i => new IterationMetrics(i, double.NaN, 0.4, 0.85 + i / 100.0) { Candidate = B.Id })).ToList();
        var cut = Render<TrainingPanel>(p => p.Add(x => x.Job, Finished(result, curve)).Add(x => x.OnStart, (string _) => { }).Add(x => x.OnCancel, () => { }));
        Assert.Equal(2, cut.FindAll("#training-panel polyline.series").Count);
        var winner = cut.Find("#race-results tr.winner");
        Assert.Contains("ag-default", winner.TextContent);
        Assert.Contains("kept", winner.TextContent);
        Assert.Contains("dropped after 100 rounds", cut.Find("#race-results").TextContent);
    }

    [Fact]
    public void AProbeForecastSaysItsBandBasisAndWhetherTheRealValueFellInside()
    {
        var test = new TestMetrics(0.9, 0.93, 0.3, null, null, null, 100);
        var result = new TrainingResult(test, 40, 90, 1.2, "split", [], "AUC")
        {
            Probe = new MetricForecast("AUC", ForecastKind.Auc, 0.925, 0.91, 0.94, "probe: trained on 100 rows → 0.9", false, 100),
        };
        var job = Finished(result, [new IterationMetrics(1, 0.6, 0.5, 0.9)]) with { };
        var cut = Render<TrainingPanel>(p => p.Add(x => x.Job, job with { Mode = TrainingModes.Recommended }).Add(x => x.OnStart, (string _) => { }).Add(x => x.OnCancel, () => { }));
        var text = cut.Find("#probe-forecast").TextContent;
        Assert.Contains("0.925", text);
        Assert.Contains("[0.91, 0.94]", text);
        Assert.Contains("real 0.93, inside the band", text);
        Assert.Contains("Basis: probe:", text);
    }

    [Fact]
    public void ARaceThatKeptAnEnsembleSaysSoWithItsWeightsAndOffersTheZip()
    {
        var test = new TestMetrics(0.9, 0.95, 0.3, null, null, null, 100);
        var result = new TrainingResult(test, 40, 90, 1.2, "split", [], "AUC")
        {
            Race =
            [
                new RaceResult(A.Id, A.Origin, "baseline", A.Hyperparameters, 0.91, 0.92, 100, 0.2, false) { DroppedAtIteration = 100 },
                new RaceResult(B.Id, B.Origin, "zero-shot", B.Hyperparameters, 0.94, 0.93, 40, 1.0, true),
            ],
            Ensemble = new RaceEnsembleResult(true, true, "Ensemble kept: because it was better.", [new(1, B.Id, 0.6), new(0, A.Id, 0.4)], 0.95, 0.94, test),
        };
        var cut = Render<TrainingPanel>(p => p.Add(x => x.Job, Finished(result, [new IterationMetrics(1, double.NaN, 0.5, 0.9) { Candidate = B.Id }])).Add(x => x.OnStart, (string _) => { }).Add(x => x.OnCancel, () => { }));
        var alert = cut.Find("#race-ensemble").TextContent;
        Assert.Contains("Kept: a bagged ensemble", alert);
        Assert.Contains($"{B.Id} 60%", alert);
        Assert.Contains("best single", cut.Find("#race-results tr.winner").TextContent);
        Assert.Contains("40% of the ensemble", cut.Find("#race-results").TextContent);
        Assert.Contains("Download ensemble (zip)", cut.Find("#download-model").TextContent);
    }
}
