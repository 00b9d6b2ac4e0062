using System.Globalization;

namespace AutoMLGpt.Core.Knowledge;

/// <summary>A neighbour in the transfer, with the weight it gets (weights sum to 1).</summary>
public sealed record WeightedNeighbour(ExperienceRecord Record, double Weight);

/// <summary>A transferred value and how much the neighbours disagree about it.</summary>
public sealed record TransferredValue(string Name, string Value, string Low, string High, string Kind, string Votes);

/// <summary>
/// Combines neighbours' best hyperparameters by weight: geometric means for scale parameters (learning rates,
/// regularisation), arithmetic means otherwise, rounding for integers, weighted votes for categories. The weighted
/// spread across neighbours is reported as a band.
/// </summary>
public static class HyperparameterTransfer
{
    private static readonly HashSet<string> LogScale = new(StringComparer.OrdinalIgnoreCase)
    { "learning_rate", "eta", "lambda_l1", "lambda_l2", "reg_alpha", "reg_lambda", "min_child_weight", "min_sum_hessian_in_leaf", "num_leaves", "min_data_in_leaf", "num_iterations" };

    private static readonly HashSet<string> Integers = new(StringComparer.OrdinalIgnoreCase)
    { "num_leaves", "min_data_in_leaf", "num_iterations", "n_estimators", "max_depth", "max_bin" };

    public static IReadOnlyList<TransferredValue> Transfer(IReadOnlyList<WeightedNeighbour> neighbours)
    {
        var total = neighbours.Sum(n => n.Weight);
        if (neighbours.Count == 0 || total <= 0) return [];
        var names = neighbours.SelectMany(n => n.Record.Hyperparameters.Keys).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var result = new List<TransferredValue>();
        foreach (var name in names)
        {
            var values = neighbours.Where(n => n.Weight > 0 && n.Record.Hyperparameters.ContainsKey(name))
                .Select(n => (Text: n.Record.Hyperparameters[name], W: n.Weight / total)).ToList();
            var wsum = values.Sum(v => v.W);
            if (values.Count == 0 || wsum <= 0) continue;
            var numbers = values.Select(v => (Ok: double.TryParse(v.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d), D: d, v.W)).ToList();
            if (numbers.All(n => n.Ok))
            {
                var log = LogScale.Contains(name) && numbers.All(n => n.D > 0);
                var xs = numbers.Select(n => (X: log ? Math.Log(n.D) : n.D, W: n.W / wsum)).ToList();
                var mean = xs.Sum(x => x.X * x.W);
                var sd = Math.Sqrt(xs.Sum(x => x.W * (x.X - mean) * (x.X - mean)));
                double Back(double x) => log ? Math.Exp(x) : x;
                var integer = Integers.Contains(name);
                string Format(double v) => integer ? Math.Round(v).ToString("0", CultureInfo.InvariantCulture) : v.ToString("G3", CultureInfo.InvariantCulture);
                result.Add(new TransferredValue(name, Format(Back(mean)), Format(Back(mean - sd)), Format(Back(mean + sd)), log ? "log-scale weighted mean" : "weighted mean", ""));
            }
            else
            {
                var votes = values.GroupBy(v => v.Text).Select(g => (Value: g.Key, W: g.Sum(v => v.W) / wsum)).OrderByDescending(g => g.W).ToList();
                result.Add(new TransferredValue(name, votes[0].Value, votes[0].Value, votes[^1].Value, "weighted vote",
                    string.Join(", ", votes.Select(v => $"{v.Value} {Percent(v.W)}"))));
            }
        }
        return result;
    }

    /// <summary>"57%": a share as a whole percentage, the same in every culture.</summary>
    public static string Percent(double share) => (share * 100).ToString("0", CultureInfo.InvariantCulture) + "%";

    /// <summary>The neighbours' final metric combined the same way, for stage D's prediction: (value, low, high).</summary>
    public static (double Value, double Low, double High)? Score(IReadOnlyList<WeightedNeighbour> neighbours, string metric)
    {
        var same = neighbours.Where(n => string.Equals(n.Record.Metric, metric, StringComparison.OrdinalIgnoreCase) && n.Weight > 0).ToList();
        var total = same.Sum(n => n.Weight);
        if (same.Count == 0 || total <= 0) return null;
        var mean = same.Sum(n => n.Record.Score * n.Weight) / total;
        var sd = Math.Sqrt(same.Sum(n => n.Weight / total * Math.Pow(n.Record.Score - mean, 2)));
        return (mean, mean - Math.Max(sd, 0.005), mean + Math.Max(sd, 0.005));
    }
}
