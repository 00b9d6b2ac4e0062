using System.Globalization;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Pipeline;

namespace AutoMLGpt.Core.Training;

/// <summary>LightGBM parameters mapped from a recommended hyperparameter table, with what could not be used and why.</summary>
public sealed record TrainingParameters(IReadOnlyDictionary<string, string> LightGbm, int Iterations, int EarlyStoppingRounds, IReadOnlyList<string> Messages)
{
    /// <summary>Aliases from XGBoost, scikit-learn and our own tables onto LightGBM's names, with their valid ranges.</summary>
    private static readonly Dictionary<string, (string Name, double Min, double Max, bool Integer)> Map = new(StringComparer.OrdinalIgnoreCase)
    {
        ["learning_rate"] = ("learning_rate", 1e-4, 1, false), ["eta"] = ("learning_rate", 1e-4, 1, false),
        ["num_leaves"] = ("num_leaves", 2, 131_072, true),
        ["max_depth"] = ("max_depth", -1, 64, true),
        ["min_data_in_leaf"] = ("min_data_in_leaf", 1, 100_000, true), ["min_child_samples"] = ("min_data_in_leaf", 1, 100_000, true),
        ["min_child_weight"] = ("min_sum_hessian_in_leaf", 0, 1e4, false),
        ["feature_fraction"] = ("feature_fraction", 0.01, 1, false), ["colsample_bytree"] = ("feature_fraction", 0.01, 1, false),
        ["bagging_fraction"] = ("bagging_fraction", 0.01, 1, false), ["subsample"] = ("bagging_fraction", 0.01, 1, false),
        ["lambda_l2"] = ("lambda_l2", 0, 1e4, false), ["reg_lambda"] = ("lambda_l2", 0, 1e4, false),
        ["lambda_l1"] = ("lambda_l1", 0, 1e4, false), ["reg_alpha"] = ("lambda_l1", 0, 1e4, false),
        ["max_bin"] = ("max_bin", 4, 65_535, true),
        ["min_gain_to_split"] = ("min_gain_to_split", 0, 1e4, false), ["gamma"] = ("min_gain_to_split", 0, 1e4, false),
    };

    private static readonly HashSet<string> Iterations_ = new(StringComparer.OrdinalIgnoreCase) { "num_iterations", "n_estimators", "num_boost_round", "num_trees" };
    // Settings that describe the run rather than the trees; understood, nothing to map.
    private static readonly HashSet<string> Informational = new(StringComparer.OrdinalIgnoreCase) { "objective", "metric", "eval_metric", "tree_method", "seed", "n_jobs", "device", "early_stopping_rounds" };

    public static TrainingParameters From(IReadOnlyList<HyperparameterRow> rows, DataCard card, int classes, int threads)
    {
        var p = new Dictionary<string, string>
        {
            ["objective"] = card.Task switch { MlTask.Regression => "regression", MlTask.BinaryClassification => "binary", _ => "multiclass" },
            ["metric"] = card.Task switch { MlTask.Regression => "rmse,l1", MlTask.BinaryClassification => "binary_logloss,auc,binary_error", _ => "multi_logloss,multi_error" },
            ["verbosity"] = "-1",
            ["seed"] = "42",
            ["deterministic"] = "true",
            ["force_row_wise"] = "true",
            ["num_threads"] = Math.Clamp(threads, 1, Environment.ProcessorCount).ToString(CultureInfo.InvariantCulture),
        };
        if (card.Task == MlTask.MulticlassClassification) p["num_class"] = classes.ToString(CultureInfo.InvariantCulture);
        var messages = new List<string>();
        var iterations = 100;
        var stopping = 0;
        foreach (var row in rows)
        {
            var name = row.Name.Trim();
            var value = row.Value.Trim();
            if (name.Equals("early_stopping_rounds", StringComparison.OrdinalIgnoreCase))
            {
                if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var es) && es >= 0) stopping = Math.Min(es, 10_000);
                else messages.Add($"early_stopping_rounds \"{value}\" is not a whole number; early stopping is off.");
                continue;
            }
            if (name.Equals("seed", StringComparison.OrdinalIgnoreCase) && int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)) { p["seed"] = seed.ToString(CultureInfo.InvariantCulture); continue; }
            if (Iterations_.Contains(name))
            {
                if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 100_000) iterations = n;
                else messages.Add($"{name} = {value} is out of range (1 – 100000); using {iterations}.");
                continue;
            }
            if (Informational.Contains(name)) continue;
            if (name.Equals("extra_trees", StringComparison.OrdinalIgnoreCase))
            {
                if (bool.TryParse(value, out var extra)) p["extra_trees"] = extra ? "true" : "false";
                else messages.Add($"extra_trees \"{value}\" is not true or false; LightGBM's default (false) is used.");
                continue;
            }
            if (!Map.TryGetValue(name, out var target)) { messages.Add($"{name} is not a LightGBM parameter; ignored."); continue; }
            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            {
                messages.Add($"{name} = \"{value}\" is not a number; LightGBM's default is used.");
                continue;
            }
            if (v < target.Min || v > target.Max || (target.Integer && v != Math.Floor(v)))
            {
                messages.Add($"{name} = {value} is outside {target.Min.ToString(CultureInfo.InvariantCulture)} – {target.Max.ToString(CultureInfo.InvariantCulture)}{(target.Integer ? " (whole numbers)" : "")}; LightGBM's default is used.");
                continue;
            }
            p[target.Name] = v.ToString(target.Integer ? "0" : "R", CultureInfo.InvariantCulture);
        }
        if (p.TryGetValue("bagging_fraction", out var bf) && bf != "1") p["bagging_freq"] = "1";
        return new TrainingParameters(p, iterations, stopping, messages);
    }

    public string ToNativeString() => string.Join(' ', LightGbm.Select(kv => $"{kv.Key}={kv.Value}"));
}
