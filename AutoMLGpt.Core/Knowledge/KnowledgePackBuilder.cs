using System.Globalization;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.Training;

namespace AutoMLGpt.Core.Knowledge;

/// <summary>
/// Builds the knowledge pack by really training: for each dataset, LightGBM's defaults and a seeded random search over a
/// documented space, each configuration chosen on the validation split and scored once on the test split.
/// </summary>
public static class KnowledgePackBuilder
{
    public const string Family = "lightgbm";
    public const int MaxIterations = 2000;
    public const int EarlyStopping = 50;

    public static readonly string SearchSpace =
        "learning_rate log-uniform [0.01, 0.3]; num_leaves log-uniform int [4, 256]; min_data_in_leaf log-uniform int [2, 100]; " +
        "feature_fraction uniform [0.4, 1]; bagging_fraction uniform [0.5, 1]; lambda_l2 log-uniform [1e-3, 10]; " +
        $"num_iterations {MaxIterations} with early stopping {EarlyStopping} on the validation split";

    public static Dictionary<string, string> Sample(Random rng)
    {
        double LogUniform(double lo, double hi) => Math.Exp(Math.Log(lo) + rng.NextDouble() * (Math.Log(hi) - Math.Log(lo)));
        string F(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
        return new Dictionary<string, string>
        {
            ["learning_rate"] = F(LogUniform(0.01, 0.3)),
            ["num_leaves"] = ((int)Math.Round(LogUniform(4, 256))).ToString(CultureInfo.InvariantCulture),
            ["min_data_in_leaf"] = ((int)Math.Round(LogUniform(2, 100))).ToString(CultureInfo.InvariantCulture),
            ["feature_fraction"] = F(0.4 + 0.6 * rng.NextDouble()),
            ["bagging_fraction"] = F(0.5 + 0.5 * rng.NextDouble()),
            ["lambda_l2"] = F(LogUniform(1e-3, 10)),
        };
    }

    public static readonly Dictionary<string, string> Defaults = new()
    {
        ["learning_rate"] = "0.1", ["num_leaves"] = "31", ["min_data_in_leaf"] = "20", ["num_iterations"] = "100",
    };

    /// <summary>A dataset folder's data, its card and the data split the pack uses.</summary>
    public static (DatasetCardFile File, TabularData Data) Load(string datasetFolder)
    {
        var file = DatasetCardFile.Load(Path.Combine(datasetFolder, "datacard.json"));
        var table = CsvReader.Read(Path.Combine(datasetFolder, "data.csv"));
        return (file, TabularData.Build(table, file.Card, trainRange: file.TrainRange, testRange: file.TestRange));
    }

    /// <summary>Trains one configuration; returns the validation score at the best iteration, the outcome and the curve.</summary>
    public static (double Valid, TrainingOutcome Outcome, List<IterationMetrics> Curve) Evaluate(TabularData data, DataCard card, IReadOnlyDictionary<string, string> hyperparameters, int threads, bool earlyStopping = true)
    {
        var rows = hyperparameters.Select(kv => new HyperparameterRow(kv.Key, kv.Value, "", "", "")).ToList();
        if (!hyperparameters.ContainsKey("num_iterations")) rows.Add(new("num_iterations", MaxIterations.ToString(CultureInfo.InvariantCulture), "", "", ""));
        if (earlyStopping) rows.Add(new("early_stopping_rounds", EarlyStopping.ToString(CultureInfo.InvariantCulture), "", "", ""));
        var parameters = TrainingParameters.From(rows, card, data.Classes.Length, threads);
        var curve = new List<IterationMetrics>();
        var outcome = LightGbmTrainer.Train(data, parameters, card, curve.Add, CancellationToken.None);
        var valid = curve[Math.Clamp(outcome.BestIteration - 1, 0, curve.Count - 1)].ValidMetric;
        return (valid, outcome, curve);
    }

    public static ExperienceRecord BuildRecord(string datasetFolder, int trials, int seed, int threads, Action<string>? log = null)
    {
        var (file, data) = Load(datasetFolder);
        var card = file.Card;
        var metric = card.PrimaryMetric;
        var higher = TaskDefaults.HigherIsBetter(metric);
        double Test(TrainingOutcome o) => o.Test.Get(metric) ?? throw new InvalidDataException($"{card.Name}: test metric {metric} not measured.");

        var defaults = Evaluate(data, card, Defaults, threads, earlyStopping: false);
        var rng = new Random(seed);
        (double Valid, double Test, Dictionary<string, string> Config, TrainingOutcome Outcome, List<IterationMetrics> Curve)? best = null;
        var scores = new List<double>();
        for (var t = 0; t < trials; t++)
        {
            var config = Sample(rng);
            var (valid, outcome, curve) = Evaluate(data, card, config, threads);
            var test = Test(outcome);
            scores.Add(test);
            if (best is null || (higher ? valid > best.Value.Valid : valid < best.Value.Valid)) best = (valid, test, config, outcome, curve);
        }
        var b = best!.Value;
        var hyper = new Dictionary<string, string>(b.Config)
        {
            ["num_iterations"] = b.Outcome.BestIteration.ToString(CultureInfo.InvariantCulture),
        };
        var step = Math.Max(1, b.Curve.Count / 60);
        log?.Invoke($"{card.Name}: defaults {Test(defaults.Outcome):0.####}, best of {trials} {b.Test:0.####} ({metric}), {b.Outcome.BestIteration} iterations");
        return new ExperienceRecord
        {
            Dataset = card.Name, Source = "pack", Card = card, Meta = MetaFeatures.FromFile(file), Family = Family, Hyperparameters = hyper,
            Metric = metric, HigherIsBetter = higher, Score = b.Test, DefaultScore = Test(defaults.Outcome), TrialScores = scores,
            Curve = b.Curve.Where((_, i) => i % step == 0 || i == b.Curve.Count - 1).Select(c => new ScorePoint(c.Iteration, Math.Round(c.ValidMetric, 5))).ToList(),
            BestIteration = b.Outcome.BestIteration,
        };
    }
}
