using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Engines.Offline;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.Knowledge;
using AutoMLGpt.Core.Knowledge.Encoders;
using AutoMLGpt.Core.Knowledge.Portfolio;
using AutoMLGpt.Core.Training;
using AutoMLGpt.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using AutoMLGpt.Core.Knowledge.Catalogue;

namespace AutoMLGpt.Tests.Core;

/// <summary>The results matrix, zero-shot choosing, the few-shot race plan and the calibrated forecast.</summary>
[Trait(TestCategory.Name, TestCategory.Fast)]
public class PortfolioTests
{
    private static readonly Lazy<KnowledgeBase> Shared = new(() =>
        new KnowledgeBase(StaticTableEncoder.LoadEmbedded(), new KnowledgeOptions(), NullLogger<KnowledgeBase>.Instance, KnowledgeBase.LoadEmbeddedPack().Records)
            .WithPortfolio(ResultsMatrix.LoadEmbedded()!));

    private static PortfolioAdvisor Portfolio => Shared.Value.Portfolio!;

    private static HashSet<string> Without(string dataset) => new(StringComparer.OrdinalIgnoreCase) { dataset };

    [Fact]
    public void TheEmbeddedMatrixHoldsEveryCandidateOnEverySharedDatasetOverThreeSplits()
    {
        var matrix = ResultsMatrix.LoadEmbedded();
        Assert.NotNull(matrix);
        Assert.InRange(matrix.Candidates.Count, 60, 100);
        Assert.True(matrix.Seeds.Length >= 3);
        Assert.Equal(0, matrix.DefaultsIndex);
        Assert.Equal(16, matrix.Candidates.Count(c => c.Id.StartsWith("ag-", StringComparison.Ordinal)));
        var shared = Directory.GetDirectories(SharedData.Datasets).Select(Path.GetFileName).Where(n => File.Exists(Path.Combine(SharedData.Datasets, n!, "datacard.json"))).ToHashSet();
        Assert.Superset(shared!, matrix.Datasets.Select(d => d.Name).ToHashSet());
        foreach (var d in matrix.Datasets)
        {
            Assert.Equal(matrix.Candidates.Count, d.Test.Length);
            Assert.All(d.Test.SelectMany(t => t).Concat(d.Valid.SelectMany(v => v)), v => Assert.True(double.IsFinite(v), $"{d.Name}: a score is not finite"));
            Assert.All(d.Test, t => Assert.Equal(matrix.Seeds.Length, t.Length));
            Assert.NotEmpty(d.Probes);
        }
    }

    [Fact]
    public void ZeroShotChoosesOneEvaluatedCandidateAndNeverAveragesValues()
    {
        var adult = SharedData.Card("adult").Card;
        var choice = Portfolio.ChooseZeroShot(adult, exclude: Without("adult"));
        var candidate = Portfolio.Matrix.Candidates.Single(c => c.Id == choice.Candidate.Id);
        // Every value of the candidate is passed on as it was evaluated (Adult is large, so no size bound applies).
        foreach (var (key, value) in candidate.Hyperparameters) Assert.Equal(value, choice.Values[key]);
        Assert.Empty(choice.Bounds);
        Assert.NotEqual("pack-adult", choice.Candidate.Id); // leave-one-dataset-out drops the winner found on Adult
        Assert.DoesNotContain(choice.Weights, w => w.Dataset == "adult");
        Assert.Equal(1.0, choice.Weights.Sum(w => w.Weight), 6);
    }

    [Fact]
    public void TheDefaultsStayUnlessAnotherCandidateIsPredictedToBeatThemByTheMargin()
    {
        var strict = new KnowledgeBase(StaticTableEncoder.LoadEmbedded(), new KnowledgeOptions(), NullLogger<KnowledgeBase>.Instance, KnowledgeBase.LoadEmbeddedPack().Records)
            .WithPortfolio(ResultsMatrix.LoadEmbedded()!, new PortfolioOptions { ZeroShotRule = PortfolioOptions.MarginRule, Margin = 0.5 });
        var choice = strict.Portfolio!.ChooseZeroShot(SharedData.Card("spambase").Card, exclude: Without("spambase"));
        Assert.True(choice.Candidate.IsDefaults);
        Assert.Contains("defaults are kept", choice.Why);
    }

    [Fact]
    public void TheGainBoundFallsWithSpreadAndFewDatasetsAndTheDownsideIsTheTenthPercentile()
    {
        var steady = Enumerable.Range(0, 20).Select(i => (Gain: 0.01 + (i % 2 == 0 ? 0.001 : -0.001), Weight: 1.0)).ToList();
        var (bound, downside) = PortfolioAdvisor.GainEvidence(steady, 1.28);
        Assert.InRange(bound, 0.009, 0.01);                    // a steady gain is nearly its own bound
        Assert.Equal(0.009, downside, 9);
        var spread = steady.Select((g, i) => (i == 0 ? -0.2 : g.Gain, g.Weight)).ToList(); // one bad case in twenty
        var (spreadBound, spreadDownside) = PortfolioAdvisor.GainEvidence(spread, 1.28);
        Assert.True(spreadBound < 0, $"one loss of 20 points must sink the bound, not {spreadBound}");
        Assert.Equal(0.009, spreadDownside, 9);                // 1 in 20 is below the 10th percentile
        var concentrated = steady.Select((g, i) => (g.Gain, Weight: i < 2 ? 1.0 : 1e-6)).ToList(); // two datasets carry the weight
        Assert.True(PortfolioAdvisor.GainEvidence(concentrated, 1.28).Bound < bound);
        Assert.Equal(double.NegativeInfinity, PortfolioAdvisor.GainEvidence([(0.5, 1.0)], 1.28).Bound); // one dataset is no evidence
    }

    public static TheoryData<string> SharedDatasets() => new(Directory.GetDirectories(SharedData.Datasets).Select(Path.GetFileName).Where(n => File.Exists(Path.Combine(SharedData.Datasets, n!, "datacard.json")))!);

    [Theory]
    [MemberData(nameof(SharedDatasets))]
    public void AZeroShotChoiceOtherThanTheDefaultsHasAPositiveBoundMildBadCasesAndAFittingSize(string dataset)
    {
        var card = SharedData.Card(dataset).Card;
        var choice = Portfolio.ChooseZeroShot(card, exclude: Without(dataset));
        if (choice.Candidate.IsDefaults)
        {
            Assert.StartsWith("defaults kept: no candidate beats them with confidence", choice.Why);
            return;
        }
        var options = Portfolio.Options;
        Assert.True(choice.Chosen.GainBound > options.Margin, $"{dataset}: {choice.Candidate.Id} bound {choice.Chosen.GainBound}");
        Assert.True(choice.Chosen.Downside >= -options.MaxDownside, $"{dataset}: {choice.Candidate.Id} downside {choice.Chosen.Downside}");
        Assert.Null(choice.Chosen.Gate);
        Assert.Contains("beats the defaults with confidence", choice.Why);
    }

    [Fact]
    public void ACandidateLearntOnLargeDataIsNotOfferedOnATinyTable()
    {
        var card = new DataCard
        {
            Name = "tiny survey", Modality = DataModality.Tabular, Task = MlTask.BinaryClassification, LabelSpace = "no, yes",
            Metrics = "accuracy", Samples = 150, Features = 8, Description = "A small survey table.",
        };
        var choice = Portfolio.ChooseZeroShot(card, trainRows: 105);
        var fromAdult = Assert.Single(choice.Ranking, e => e.Candidate.FromDataset == "adult");
        Assert.Contains("learnt on 48,842 rows (adult)", fromAdult.Gate);
        Assert.NotEqual("pack-adult", choice.Candidate.Id);
    }

    [Fact]
    public void SizeBoundsLetATinyManyClassDatasetSplit()
    {
        var values = new Dictionary<string, string> { ["num_leaves"] = "210", ["min_data_in_leaf"] = "56", ["bagging_fraction"] = "0.6", ["feature_fraction"] = "0.3" };
        var (bounded, changes) = SizeBounds.Apply(values, trainRows: 105, classes: 3, features: 4);
        Assert.Equal("17", bounded["min_data_in_leaf"]);       // 105 / 6
        Assert.Equal("6", bounded["num_leaves"]);              // 105 / 17
        Assert.Equal("1", bounded["bagging_fraction"]);        // 200 rows per bag needs all 105
        Assert.Equal("0.5", bounded["feature_fraction"]);      // 2 of 4 features
        Assert.Equal(4, changes.Count);
        var (large, none) = SizeBounds.Apply(values, trainRows: 100_000, classes: 2, features: 40);
        Assert.Equal(values, large);
        Assert.Empty(none);
    }

    /// <summary>A stratified subsample of a shared dataset, as a new user's small table.</summary>
    private static (DataCard Card, CsvTable Table) Small(string dataset, int rows, int seed = 3)
    {
        var file = SharedData.Card(dataset);
        var table = CsvReader.Read(SharedData.Csv(dataset));
        var label = table.ColumnIndex(file.Card.LabelColumn!);
        var rng = new Random(seed);
        var picked = table.Rows.Select((r, i) => (r, i)).GroupBy(x => x.r[label]).SelectMany(g => g.OrderBy(_ => rng.Next()).Take(Math.Max(2, (int)Math.Round(rows * g.Count() / (double)table.Rows.Count))))
            .OrderBy(x => x.i).Select(x => x.r).ToList();
        var small = new CsvTable(table.Columns, picked, table.Separator);
        var card = file.Card;
        var copy = new DataCard
        {
            Name = card.Name + "-small", Modality = card.Modality, Task = card.Task, LabelSpace = card.LabelSpace, Metrics = card.Metrics, Samples = picked.Count,
            Features = card.Features, LabelColumn = card.LabelColumn, NumericColumns = card.NumericColumns, CategoricalColumns = card.CategoricalColumns, Description = card.Description,
        };
        return (copy, small);
    }

    [Theory]
    [InlineData("palmer_penguins", 150)]
    [InlineData("glass_identification", 200)]
    [InlineData("vowel_recognition", 200)]
    [InlineData("car_evaluation", 180)]
    [InlineData("vehicle_silhouettes", 160)]
    public void OnAtMost200RowsWithThreeOrMoreClassesTheZeroShotChoiceIsNeverClearlyWorseThanTheDefaults(string dataset, int rows)
    {
        var (card, table) = Small(dataset, rows);
        Assert.True(card.ClassCount >= 3);
        var exclude = Without(dataset);
        double zero = 0, defaults = 0;
        string chosen = "";
        foreach (var seed in new[] { 0, 1, 2 })
        {
            var data = TabularData.Build(table, card, seed: seed);
            var choice = Portfolio.ChooseZeroShot(card, trainRows: data.Split.Train.Length, exclude: exclude);
            chosen = choice.Candidate.Id;
            using var split = LightGbmSplit.Create(data);
            double Test(PortfolioCandidate c, IReadOnlyDictionary<string, string>? values) =>
                LightGbmTrainer.Train(split, c.Parameters(card.Task, data.Classes.Length, 1, overrides: values), card.Task, card.PrimaryMetric, null, CancellationToken.None, 0, false).Test.Accuracy!.Value;
            zero += Test(choice.Candidate, choice.Values) / 3;
            defaults += Test(CandidateSpace.Defaults, null) / 3;
        }
        // "Clearly worse": more than one test row in 30 below the defaults, on average over three splits.
        Assert.True(zero >= defaults - 0.034, $"{dataset} ({rows} rows): zero-shot {chosen} {zero:0.000} vs defaults {defaults:0.000}");
    }

    [Fact]
    public void WithoutSizeBoundsAWinnerOnLargeDataCannotSplitATinyOne()
    {
        // The failure the bounds exist for: min_data_in_leaf 56 on 150 rows of 3 classes predicts one class.
        var (card, table) = Small("palmer_penguins", 150);
        var data = TabularData.Build(table, card, seed: 0);
        using var split = LightGbmSplit.Create(data);
        var candidate = Portfolio.Matrix.Candidates.Single(c => c.Id == "ag-r130");
        double Accuracy(IReadOnlyDictionary<string, string>? values) =>
            LightGbmTrainer.Train(split, candidate.Parameters(card.Task, 3, 1, overrides: values), card.Task, "accuracy", null, CancellationToken.None, 0, false).Test.Accuracy!.Value;
        var majority = data.Split.Test.GroupBy(i => data.Labels[i]).Max(g => g.Count()) / (double)data.Split.Test.Length;
        Assert.True(Accuracy(null) <= majority + 1e-9, "unbounded: no split, the majority class only");
        Assert.True(Accuracy(PortfolioAdvisor.Bounded(candidate, card, data.Split.Train.Length).Values) > majority + 0.2, "bounded: real trees");
    }

    [Fact]
    public void TheRacePlanStartsWithTheDefaultsAndTheZeroShotChoiceAndSaysWhyEachIsThere()
    {
        var card = SharedData.Card("bank_marketing").Card;
        var choice = Portfolio.ChooseZeroShot(card, exclude: Without("bank_marketing"));
        var plan = Portfolio.PlanRace(card, choice, 6, exclude: Without("bank_marketing"));
        Assert.Equal(6, plan.Count);
        Assert.True(plan[0].Candidate.IsDefaults);
        if (!choice.Candidate.IsDefaults) Assert.Equal(choice.Candidate.Id, plan[1].Candidate.Id);
        Assert.Equal(plan.Count, plan.Select(p => p.Candidate.Id).Distinct().Count());
        Assert.DoesNotContain(plan, p => p.Candidate.FromDataset == "bank_marketing");
        Assert.All(plan, p => Assert.False(string.IsNullOrWhiteSpace(p.Reason)));
        Assert.All(plan.Skip(2), p => Assert.Contains("adds", p.Reason));
    }

    [Fact]
    public void SplitConformalQuantilesCoverTheRequestedShareOfNewResiduals()
    {
        var rng = new Random(5);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var calibration = Enumerable.Range(0, 200).Select(_ => 0.3 + Normal()).ToArray();
        var (low, high) = MetricForecaster.Quantiles(calibration, 0.8);
        var fresh = Enumerable.Range(0, 5000).Select(_ => 0.3 + Normal()).ToArray();
        var covered = fresh.Count(r => r >= low && r <= high) / (double)fresh.Length;
        Assert.InRange(covered, 0.76, 0.86);
        Assert.True(low < 0.3 && high > 0.3);
    }

    [Fact]
    public void TheProbeExtrapolatesAPowerLawLearningCurveToAllRows()
    {
        // accuracy(n) = 1 − (0.08 + 3/√n)
        double Acc(int n) => 1 - (0.08 + 3 / Math.Sqrt(n));
        int[] rows = [1000, 2000, 3000];
        var predicted = LearningCurveProbe.Extrapolate(rows, rows.Select(Acc).ToArray(), 4000, higherIsBetter: true);
        Assert.Equal(Acc(4000), predicted, 4);
        // A flat or noisy-upward error curve is not extrapolated past the largest subsample.
        Assert.Equal(0.9, LearningCurveProbe.Extrapolate(rows, [0.91, 0.9, 0.9], 4000, true), 6);
    }

    [Fact]
    public void TheCardOnlyForecastMovesTheNeighboursScoresToTheNewTasksNumberOfClasses()
    {
        var survey = new DataCard
        {
            Name = "survey", Task = MlTask.MulticlassClassification, LabelSpace = string.Join(", ", Enumerable.Range(1, 9).Select(i => $"c{i}")),
            Metrics = "accuracy", Samples = 2000, Features = 12, Description = "Answers to a household survey; predict the respondent's group.",
        };
        var binary = new DataCard { Name = "survey2", Task = MlTask.BinaryClassification, LabelSpace = "yes, no", Metrics = "accuracy", Samples = 2000, Features = 12, Description = survey.Description };
        var many = Shared.Value.Forecaster!.FromCard(survey, Portfolio.ChooseZeroShot(survey))!;
        var two = Shared.Value.Forecaster!.FromCard(binary, Portfolio.ChooseZeroShot(binary))!;
        Assert.True(many.Value < two.Value - 0.02, $"9 classes {many.Value:0.000} vs 2 classes {two.Value:0.000}");
        Assert.True(many.Low < many.Value && many.Value < many.High);
        Assert.Contains("split-conformal", many.Basis);
    }

    [Fact]
    public async Task TheOfflineEngineShowsTheChosenCandidateTheRaceAndACalibratedBandInStagesCAndD()
    {
        var card = SharedData.Card("german_credit").Card;
        card.Name = "credit applications (new)";
        var engine = new OfflineEngine(new OfflineEngineOptions { StreamDelayMilliseconds = 0 }, Shared.Value);
        var outputs = new Dictionary<StageKind, StageOutput>();
        await foreach (var u in PipelineRunner.RunAsync(engine, new ExperimentCards(card, ModelCatalogue.LightGbm.TemplateCard(), new ExperimentRequest()), CancellationToken.None))
            if (u.Output is { } o) outputs[u.Stage] = o;
        var choice = Portfolio.ChooseZeroShot(card);
        var table = outputs[StageKind.Hyperparameters];
        Assert.Contains($"Zero-shot choice: {(choice.Candidate.IsDefaults ? "LightGBM's defaults" : choice.Candidate.Id)}", table.Text);
        Assert.Contains("Race candidate 1 of 8", table.Text);
        var lr = table.Hyperparameters!.Single(r => r.Name == "learning_rate");
        Assert.Equal(double.Parse(choice.Values["learning_rate"], System.Globalization.CultureInfo.InvariantCulture), double.Parse(lr.Value, System.Globalization.CultureInfo.InvariantCulture), 6);
        var curve = outputs[StageKind.TrainingLog].Curve!;
        var forecast = Shared.Value.Forecaster!.FromCard(card, choice)!;
        Assert.Equal(Math.Round(forecast.Value, 4), curve.Final);
        Assert.Equal(Math.Round(forecast.Low, 4), curve.Low);
        Assert.Equal(Math.Round(forecast.High, 4), curve.High);
        Assert.StartsWith("card only:", curve.Basis);
        Assert.Contains("Basis: card only", outputs[StageKind.TrainingLog].Text);
    }
}
