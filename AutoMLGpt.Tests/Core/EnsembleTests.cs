using System.IO.Compression;
using System.Text.Json;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Knowledge;
using AutoMLGpt.Core.Knowledge.Encoders;
using AutoMLGpt.Core.Knowledge.Portfolio;
using AutoMLGpt.Core.Training;
using AutoMLGpt.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;

namespace AutoMLGpt.Tests.Core;

/// <summary>The race's ensemble: greedy selection, its keep rule, and the model a user downloads predicting what was reported.</summary>
public class EnsembleTests
{
    [Fact]
    public void GreedySelectionMixesModelsWhoseErrorsDiffer()
    {
        // Model A is sure and right on the first half, unsure on the second; B the other way round: their mean beats both.
        float[] labels = [1, 1, 1, 1, 0, 0, 0, 0];
        double[] a = [0.99, 0.99, 0.99, 0.99, 0.5, 0.5, 0.5, 0.5];
        double[] b = [0.5, 0.5, 0.5, 0.5, 0.01, 0.01, 0.01, 0.01];
        var (counts, objective) = EnsembleSelection.Select([a, b], labels, MlTask.BinaryClassification, "accuracy", 2);
        Assert.True(counts[0] > 0 && counts[1] > 0, string.Join(",", counts));
        Assert.True(objective < EnsembleSelection.Objective(MlTask.BinaryClassification, "accuracy", labels, a, 2));
    }

    [Fact]
    public void GreedySelectionLeavesOutAModelThatOnlyHurts()
    {
        float[] labels = [3, 1, 4, 1, 5];
        double[] good = [3.1, 0.9, 4.2, 1.1, 4.9];
        double[] bad = [0, 9, 0, 9, 0];
        var (counts, _) = EnsembleSelection.Select([good, bad], labels, MlTask.Regression, "RMSE", 1);
        Assert.True(counts[0] > 0 && counts[1] == 0, string.Join(",", counts));
    }

    [Fact]
    public void AGainWithinNoiseIsNotConfident()
    {
        var random = new Random(3);
        var labels = Enumerable.Range(0, 300).Select(_ => (float)random.Next(2)).ToArray();
        var single = labels.Select(l => l == 1 ? 0.7 : 0.3).ToArray();
        var jittered = single.Select(p => Math.Clamp(p + (random.NextDouble() - 0.5) * 0.02, 0.01, 0.99)).ToArray();
        var (gain, se) = EnsembleSelection.Improvement(MlTask.BinaryClassification, "accuracy", labels, jittered, single, 2);
        Assert.True(Math.Abs(gain) < 1.28 * se + 1e-3, $"gain {gain}, se {se}");
        var better = labels.Select(l => l == 1 ? 0.9 : 0.1).ToArray();
        var (gain2, se2) = EnsembleSelection.Improvement(MlTask.BinaryClassification, "accuracy", labels, better, single, 2);
        Assert.True(gain2 - 1.28 * se2 > 0, $"gain {gain2}, se {se2}");
    }

    /// <summary>
    /// A race on a small real table ends with a bagged ensemble; the stored model is the ensemble, its weights sum to 1,
    /// and the downloaded zip's members, combined by its ensemble.json, reproduce the test metrics the race reported.
    /// </summary>
    [Theory, Trait(TestCategory.Name, TestCategory.Training)]
    [InlineData("pima_indians_diabetes")]
    [InlineData("palmer_penguins")]
    public void TheDownloadedEnsemblePredictsWhatTheRaceReported(string dataset)
    {
        var file = SharedData.Card(dataset);
        var data = TabularData.Build(CsvReader.Read(SharedData.Csv(dataset)), file.Card);
        var knowledge = new KnowledgeBase(StaticTableEncoder.LoadEmbedded(), new KnowledgeOptions(), NullLogger<KnowledgeBase>.Instance, KnowledgeBase.LoadEmbeddedPack().Records)
            .WithPortfolio(ResultsMatrix.LoadEmbedded()!);
        var portfolio = knowledge.Portfolio!;
        var plan = portfolio.PlanRace(file.Card, portfolio.ChooseZeroShot(file.Card), 4);
        using var split = LightGbmSplit.Create(data);
        var log = new List<string>();
        // An infinite z keeps a bagged ensemble unless it is infinitely worse: this test is about what is served, not the rule.
        var race = PortfolioRace.Run(split, plan, file.Card.Task, file.Card.PrimaryMetric, 1, null, log.Add, CancellationToken.None, ensembleZ: double.PositiveInfinity);
        var ensemble = Assert.IsType<RaceEnsemble>(race.Ensemble);
        Assert.True(ensemble.Bagged && ensemble.Kept);
        Assert.Contains(log, l => l.StartsWith("Ensemble kept:", StringComparison.Ordinal));
        Assert.Equal(1, ensemble.Weights.Sum(w => w.Weight), 9);

        var model = EnsembleModel.TryParse(race.KeptOutcome.ModelText)!;
        Assert.NotNull(model);
        Assert.Equal(ensemble.Weights.Count * RaceEnsembles.Folds, model.Members.Count);
        Assert.Null(EnsembleModel.TryParse(race.WinnerOutcome.ModelText)); // the single winner stays a plain LightGBM model

        using var zip = new ZipArchive(new MemoryStream(model.ToZip("test")));
        using var manifest = JsonDocument.Parse(zip.GetEntry("ensemble.json")!.Open());
        var outputs = file.Card.Task == MlTask.MulticlassClassification ? split.Classes : 1;
        var combined = new double[split.YTest.Length * outputs];
        foreach (var member in manifest.RootElement.GetProperty("members").EnumerateArray())
        {
            using var reader = new StreamReader(zip.GetEntry(member.GetProperty("file").GetString()!)!.Open());
            using var booster = LightGbmNative.LoadBooster(reader.ReadToEnd());
            var p = new double[combined.Length];
            LightGbmNative.Check(LightGbmNative.LGBM_BoosterPredictForMat(booster, split.XTest, LightGbmNative.Float32, split.YTest.Length, split.Columns, 1, 0, 0, -1, "", out _, p));
            var weight = member.GetProperty("weight").GetDouble();
            for (var i = 0; i < p.Length; i++) combined[i] += weight * p[i];
        }
        var recomputed = TestMetrics.Compute(file.Card.Task, split.YTest, combined, split.Classes);
        Assert.Equal(race.KeptOutcome.Test.Get(file.Card.PrimaryMetric)!.Value, recomputed.Get(file.Card.PrimaryMetric)!.Value, 6);
        Assert.NotNull(zip.GetEntry("README.md"));
    }
}
