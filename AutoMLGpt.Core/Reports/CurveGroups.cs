using System.Globalization;
using AutoMLGpt.Core.Pipeline;

namespace AutoMLGpt.Core.Reports;

/// <summary>A shaded range around a group's mean curve: mean ± one standard deviation at each step.</summary>
public sealed record ChartBand(string Name, string Color, IReadOnlyList<double> X, IReadOnlyList<double> Low, IReadOnlyList<double> High, int Members);

/// <summary>The comparison chart: lines (single runs and group means) and the bands around group means.</summary>
public sealed record ComparisonCurves(IReadOnlyList<ChartLine> Lines, IReadOnlyList<ChartBand> Bands);

/// <summary>
/// Curves of several runs as one mean with a ± 1 sd band: a few-shot race's candidates, or repeated runs of one
/// configuration (the same dataset, model and hyperparameters up to the seed). Steps where fewer than two runs have a
/// value (a candidate dropped at a rung, a shorter run) are left out of the band and drawn from the runs left.
/// </summary>
public static class CurveGroups
{
    /// <summary>Hyperparameters that only pick the random stream: runs differing in them are repeats.</summary>
    private static readonly HashSet<string> SeedNames = new(StringComparer.OrdinalIgnoreCase) { "seed", "random_state", "random_seed", "bagging_seed", "feature_fraction_seed", "data_random_seed" };

    public static (ChartLine Mean, ChartBand Band)? MeanBand(string name, string color, IReadOnlyList<IReadOnlyList<(double X, double Y)>> curves)
    {
        var usable = curves.Where(c => c.Count > 0).ToList();
        if (usable.Count < 2) return null;
        var byStep = usable.SelectMany(c => c.Where(p => double.IsFinite(p.Y))).GroupBy(p => p.X).OrderBy(g => g.Key)
            .Select(g => (X: g.Key, Values: g.Select(p => p.Y).ToList())).Where(s => s.Values.Count >= 2).ToList();
        if (byStep.Count == 0) return null;
        var xs = byStep.Select(s => s.X).ToList();
        var means = byStep.Select(s => s.Values.Average()).ToList();
        var sds = byStep.Select((s, i) => Math.Sqrt(s.Values.Sum(v => (v - means[i]) * (v - means[i])) / (s.Values.Count - 1))).ToList();
        var label = $"{name} mean ± sd ({usable.Count} runs)";
        return (new ChartLine(label, color, xs, means),
                new ChartBand(label, color, xs, means.Select((m, i) => m - sds[i]).ToList(), means.Select((m, i) => m + sds[i]).ToList(), usable.Count));
    }

    /// <summary>What makes two experiments repeats of one configuration: dataset, model and hyperparameters except seeds.</summary>
    public static string ConfigurationKey(ReviewedExperiment item)
    {
        var table = item.Details.Stage(StageKind.Hyperparameters)?.Output.Hyperparameters ?? [];
        var values = table.Where(h => !SeedNames.Contains(h.Name.Trim()))
            .Select(h => $"{h.Name.Trim().ToLowerInvariant()}={h.Value.Trim()}").Order(StringComparer.Ordinal);
        return string.Join("\u001f", [item.Details.Cards.Data.Name.Trim().ToLowerInvariant(), item.Details.Cards.Model.Name.Trim().ToLowerInvariant(), .. values]);
    }

    /// <summary>
    /// One chart for the compared experiments. Each experiment's predicted curve is dashed and its real one solid; a race's
    /// candidates add a band around their mean; with <paramref name="groupRepeats"/>, repeats of one configuration are
    /// drawn as their mean ± sd instead of one line each.
    /// </summary>
    public static ComparisonCurves For(IReadOnlyList<ReviewedExperiment> items, bool groupRepeats)
    {
        var lines = new List<ChartLine>();
        var bands = new List<ChartBand>();
        var indexed = items.Select((item, n) => (Item: item, N: n)).ToList();
        var groups = groupRepeats
            ? indexed.GroupBy(x => ConfigurationKey(x.Item)).Select(g => g.ToList()).ToList()
            : indexed.Select(x => new List<(ReviewedExperiment Item, int N)> { x }).ToList();
        foreach (var group in groups)
        {
            var (first, n) = group[0];
            var color = SvgLineChart.Palette[n % SvgLineChart.Palette.Count];
            var label = "#" + string.Join(",#", group.Select(g => (g.N + 1).ToString(CultureInfo.InvariantCulture)));
            if (first.Predicted is { Points.Count: > 0 } p)
                lines.Add(new ChartLine($"{label} predicted", color, p.Points.Select(x => (double)x.Step).ToList(), p.Points.Select(x => x.ValidMetric).ToList(), Dashed: true));
            var real = group.Select(g => RealCurve(g.Item)).Where(c => c.Count > 0).ToList();
            if (group.Count > 1 && MeanBand($"{label} real", color, real) is { } grouped)
            {
                lines.Add(grouped.Mean);
                bands.Add(grouped.Band);
                continue;
            }
            foreach (var (item, k) in group)
            {
                var curve = RealCurve(item);
                if (curve.Count > 0) lines.Add(new ChartLine($"#{k + 1} real", color, curve.Select(c => c.X).ToList(), curve.Select(c => c.Y).ToList()));
                if (RaceCandidates(item) is { Count: > 1 } candidates && MeanBand($"#{k + 1} race candidates", color, candidates) is { } race)
                    bands.Add(race.Band);
            }
        }
        return new ComparisonCurves(lines, bands);
    }

    /// <summary>The real validation curve: the run's own, or a race's winner.</summary>
    public static IReadOnlyList<(double X, double Y)> RealCurve(ReviewedExperiment item)
    {
        if (item.LatestTrained is not { Curve.Count: > 0 } job) return [];
        var winner = job.Result?.Race.FirstOrDefault(r => r.Winner)?.Candidate;
        var points = job.Curve.Any(c => c.Candidate is not null)
            ? job.Curve.Where(c => c.Candidate == winner)
            : job.Curve;
        return points.Select(c => ((double)c.Iteration, c.ValidMetric)).ToList();
    }

    private static IReadOnlyList<IReadOnlyList<(double X, double Y)>> RaceCandidates(ReviewedExperiment item) =>
        item.LatestTrained is { } job && job.Curve.Any(c => c.Candidate is not null)
            ? job.Curve.Where(c => c.Candidate is not null).GroupBy(c => c.Candidate!)
                .Select(g => (IReadOnlyList<(double X, double Y)>)g.Select(c => ((double)c.Iteration, c.ValidMetric)).ToList()).ToList()
            : [];
}
