using System.Globalization;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.Training;

namespace AutoMLGpt.Core.Knowledge.Portfolio;

/// <summary>
/// One LightGBM configuration of the portfolio: an id, where it comes from (LightGBM's defaults, a published zero-shot
/// portfolio, a shared dataset's search winner, a seeded random sample) and its hyperparameters.
/// </summary>
public sealed record PortfolioCandidate(string Id, string Origin, IReadOnlyDictionary<string, string> Hyperparameters)
{
    /// <summary>The shared dataset whose search found it (leave-one-dataset-out must not use it on that dataset).</summary>
    public string? FromDataset { get; init; }

    public bool IsDefaults => Id == CandidateSpace.DefaultsId;

    /// <summary>The values as the results matrix evaluated them: the candidate, plus an iteration cap and early stopping unless it is the defaults.</summary>
    public Dictionary<string, string> EvaluatedValues()
    {
        var values = new Dictionary<string, string>(Hyperparameters);
        values.TryAdd("num_iterations", CandidateSpace.MaxIterations.ToString(CultureInfo.InvariantCulture));
        if (!IsDefaults) values.TryAdd("early_stopping_rounds", CandidateSpace.EarlyStopping.ToString(CultureInfo.InvariantCulture));
        return values;
    }

    /// <summary>What LightGBM is given: <see cref="EvaluatedValues"/>, with <paramref name="overrides"/> (e.g. size bounds) on top.</summary>
    public TrainingParameters Parameters(MlTask task, int classes, int threads, int seed = 42, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var values = EvaluatedValues();
        if (overrides is not null) foreach (var (k, v) in overrides) values[k] = v;
        var rows = values.Select(kv => new HyperparameterRow(kv.Key, kv.Value, "", "", "")).ToList();
        rows.Add(new("seed", seed.ToString(CultureInfo.InvariantCulture), "", "", ""));
        var card = new DataCard { Task = task };
        return TrainingParameters.From(rows, card, classes, threads);
    }

    /// <summary>"learning_rate=0.05, num_leaves=31, …" for logs and tables.</summary>
    public string Describe() => string.Join(", ", Hyperparameters.Select(kv => $"{kv.Key}={kv.Value}"));
}

/// <summary>
/// The candidate configurations the results matrix evaluates. Fixed by code and seeds, so the matrix command is
/// reproducible: LightGBM's defaults, AutoGluon's published LightGBM zero-shot portfolio, the best configuration of each
/// shared dataset in the knowledge pack, and seeded samples from the pack's documented search space.
/// </summary>
public static class CandidateSpace
{
    public const string DefaultsId = "defaults";
    /// <summary>Iteration cap for every candidate but the defaults; early stopping on the validation loss decides.</summary>
    public const int MaxIterations = 2000;
    public const int EarlyStopping = 50;

    /// <summary>LightGBM's own defaults (100 rounds, no early stopping): the baseline every recommendation must beat.</summary>
    public static readonly PortfolioCandidate Defaults = new(DefaultsId, "LightGBM's defaults (learning_rate 0.1, num_leaves 31, min_data_in_leaf 20, 100 rounds)",
        new Dictionary<string, string> { ["learning_rate"] = "0.1", ["num_leaves"] = "31", ["min_data_in_leaf"] = "20", ["num_iterations"] = "100" });

    /// <summary>
    /// AutoGluon-Tabular's LightGBM ("GBM") zero-shot portfolio, learned with TabRepo over 200 datasets:
    /// autogluon/autogluon, tabular/src/autogluon/tabular/configs/zeroshot/zeroshot_portfolio_2023.py
    /// (hyperparameter_portfolio_zeroshot_2023["GBM"]). AutoGluon's empty config means its LightGBM baseline: learning
    /// rate 0.05 with early stopping (autogluon/tabular/models/lgb/hyperparameters/parameters.py); the others add to it.
    /// </summary>
    public static readonly IReadOnlyList<PortfolioCandidate> AutoGluon2023 =
    [
        AG("ag-xt", ("extra_trees", "true")),
        AG("ag-default"),
        AG("ag-large", ("learning_rate", "0.03"), ("num_leaves", "128"), ("feature_fraction", "0.9"), ("min_data_in_leaf", "3")),
        AG("ag-r131", ("extra_trees", "false"), ("feature_fraction", "0.7024"), ("learning_rate", "0.01214"), ("min_data_in_leaf", "14"), ("num_leaves", "53")),
        AG("ag-r96", ("extra_trees", "true"), ("feature_fraction", "0.5637"), ("learning_rate", "0.01519"), ("min_data_in_leaf", "48"), ("num_leaves", "16")),
        AG("ag-r188", ("extra_trees", "true"), ("feature_fraction", "0.8283"), ("learning_rate", "0.03393"), ("min_data_in_leaf", "6"), ("num_leaves", "127")),
        AG("ag-r130", ("extra_trees", "false"), ("feature_fraction", "0.6246"), ("learning_rate", "0.04712"), ("min_data_in_leaf", "56"), ("num_leaves", "89")),
        AG("ag-r161", ("extra_trees", "false"), ("feature_fraction", "0.5899"), ("learning_rate", "0.01046"), ("min_data_in_leaf", "11"), ("num_leaves", "252")),
        AG("ag-r196", ("extra_trees", "true"), ("feature_fraction", "0.5143"), ("learning_rate", "0.005295"), ("min_data_in_leaf", "6"), ("num_leaves", "133")),
        AG("ag-r15", ("extra_trees", "false"), ("feature_fraction", "0.7421"), ("learning_rate", "0.0186"), ("min_data_in_leaf", "6"), ("num_leaves", "22")),
        AG("ag-r143", ("extra_trees", "false"), ("feature_fraction", "0.9409"), ("learning_rate", "0.01343"), ("min_data_in_leaf", "21"), ("num_leaves", "178")),
        AG("ag-r94", ("extra_trees", "true"), ("feature_fraction", "0.4341"), ("learning_rate", "0.04034"), ("min_data_in_leaf", "33"), ("num_leaves", "16")),
        AG("ag-r30", ("extra_trees", "true"), ("feature_fraction", "0.9773"), ("learning_rate", "0.01053"), ("min_data_in_leaf", "21"), ("num_leaves", "111")),
        AG("ag-r135", ("extra_trees", "false"), ("feature_fraction", "0.8254"), ("learning_rate", "0.03125"), ("min_data_in_leaf", "50"), ("num_leaves", "210")),
        AG("ag-r121", ("extra_trees", "false"), ("feature_fraction", "0.573"), ("learning_rate", "0.01031"), ("min_data_in_leaf", "10"), ("num_leaves", "215")),
        AG("ag-r42", ("extra_trees", "true"), ("feature_fraction", "0.4601"), ("learning_rate", "0.07857"), ("min_data_in_leaf", "12"), ("num_leaves", "198")),
    ];

    private static PortfolioCandidate AG(string id, params (string Key, string Value)[] values)
    {
        var h = new Dictionary<string, string> { ["learning_rate"] = "0.05" };
        foreach (var (k, v) in values) h[k] = v;
        return new PortfolioCandidate(id, "AutoGluon 2023 zero-shot portfolio (TabRepo)", h);
    }

    /// <summary>The seeded random candidates: the same samples, in the same order, as the 20-trial search baseline.</summary>
    public static IReadOnlyList<PortfolioCandidate> Random(int count, int seed = 42)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(i => new PortfolioCandidate($"random-{i:00}", $"seeded sample {i} from the documented space (seed {seed})", KnowledgePackBuilder.Sample(rng))).ToList();
    }

    /// <summary>Every candidate: defaults, AutoGluon's portfolio, each pack dataset's search winner, then random samples up to <paramref name="total"/>.</summary>
    public static IReadOnlyList<PortfolioCandidate> Build(KnowledgePack pack, int total = 80, int seed = 42)
    {
        var list = new List<PortfolioCandidate> { Defaults };
        list.AddRange(AutoGluon2023);
        foreach (var r in pack.Records.Where(r => r.Family == KnowledgePackBuilder.Family).OrderBy(r => r.Dataset, StringComparer.Ordinal))
        {
            // The winner's own best iteration was for its split; here early stopping decides.
            var h = r.Hyperparameters.Where(kv => kv.Key != "num_iterations").ToDictionary(kv => kv.Key, kv => kv.Value);
            list.Add(new PortfolioCandidate($"pack-{r.Dataset}", $"best of the knowledge pack's {pack.Trials}-trial search on {r.Dataset}", h) { FromDataset = r.Dataset });
        }
        list.AddRange(Random(Math.Max(0, total - list.Count), seed));
        return list;
    }
}
