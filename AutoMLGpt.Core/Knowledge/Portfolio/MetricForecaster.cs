using System.Globalization;
using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.Knowledge.Portfolio;

/// <summary>Which calibration a metric uses: accuracy and AUC on their own scale, RMSE as a relative error.</summary>
public enum ForecastKind { Accuracy, Auc, Rmse }

/// <summary>
/// A predicted final test metric with a calibrated band. <see cref="InLabelStdUnits"/>: a card-only RMSE forecast is in
/// units of the label's standard deviation (the card does not say the label's scale).
/// </summary>
public sealed record MetricForecast(string Metric, ForecastKind Kind, double Value, double Low, double High, string Basis, bool InLabelStdUnits, int CalibrationPoints)
{
    public double Width => High - Low;
    public bool Contains(double real) => real >= Low && real <= High;
}

/// <summary>
/// The predicted final metric of a configuration, calibrated by split-conformal prediction.
/// Card only: the neighbours' scores for the chosen candidate, moved to the new task's difficulty (lift over chance for
/// accuracy and AUC, RMSE in units of the label's standard deviation); the band comes from the leave-one-dataset-out
/// residuals of the same forecast on the results matrix. With data: a learning-curve probe extrapolated to all rows;
/// the band comes from the probes' residuals on the matrix, scaled by the test set's sampling error.
/// </summary>
public sealed class MetricForecaster(PortfolioAdvisor advisor)
{
    // Residuals per kind, each with the dataset it came from (so an evaluation can leave its own dataset out).
    private readonly Lazy<Dictionary<ForecastKind, List<(string Dataset, double Value)>>> _cardResiduals = new(() => CardResiduals(advisor));
    private readonly Lazy<Dictionary<ForecastKind, List<(string Dataset, double Value)>>> _probeResiduals = new(() => ProbeResiduals(advisor.Matrix));

    private static double[] Of(Lazy<Dictionary<ForecastKind, List<(string Dataset, double Value)>>> residuals, ForecastKind kind, string? exclude) =>
        residuals.Value.TryGetValue(kind, out var list)
            ? list.Where(r => exclude is null || !string.Equals(r.Dataset, exclude, StringComparison.OrdinalIgnoreCase)).Select(r => r.Value).ToArray()
            : [];

    public double Coverage => advisor.Options.Coverage;

    public static ForecastKind? KindOf(string metric)
    {
        var m = metric.ToLowerInvariant();
        return m.Contains("auc") ? ForecastKind.Auc : m.Contains("rmse") ? ForecastKind.Rmse : m.Contains("acc") ? ForecastKind.Accuracy : null;
    }

    private static double Chance(ForecastKind kind, int classes) => kind == ForecastKind.Auc ? 0.5 : 1.0 / Math.Max(2, classes);

    /// <summary>The card-only point forecast: lift over chance (or RMSE / std) of the candidate on past datasets of the same metric, weighted.</summary>
    internal static double? CardPoint(PortfolioAdvisor advisor, DataCard card, ZeroShotChoice choice)
    {
        if (KindOf(card.PrimaryMetric) is not { } kind) return null;
        var c = advisor.Matrix.IndexOf(choice.Candidate.Id);
        if (c < 0) return null;
        double sum = 0, wsum = 0;
        foreach (var w in choice.Weights)
        {
            if (advisor.Matrix.Dataset(w.Dataset) is not { } d || w.Source != "matrix" || KindOf(d.Metric) != kind) continue;
            var score = d.MeanTest(c);
            double lift;
            if (kind == ForecastKind.Rmse) { if (d.LabelStd is not > 0) continue; lift = score / d.LabelStd.Value; }
            else { var chance = Chance(kind, d.Classes); lift = (score - chance) / (1 - chance); }
            sum += w.Weight * lift; wsum += w.Weight;
        }
        if (wsum <= 0) return null;
        var mean = sum / wsum;
        if (kind == ForecastKind.Rmse) return mean;
        var own = Chance(kind, card.IsClassification ? Math.Max(2, card.ClassCount) : 2);
        return own + mean * (1 - own);
    }

    /// <summary>Card only: what the configuration should reach, and an 80% band from leave-one-dataset-out residuals.</summary>
    /// <param name="labelStd">The label's standard deviation, when known (RMSE is then in the label's units).</param>
    /// <param name="excludeFromCalibration">A dataset whose own residuals must not calibrate its band (leave-one-dataset-out evaluation).</param>
    public MetricForecast? FromCard(DataCard card, ZeroShotChoice choice, double? labelStd = null, string? excludeFromCalibration = null)
    {
        if (KindOf(card.PrimaryMetric) is not { } kind || CardPoint(advisor, card, choice) is not { } point) return null;
        var residuals = Of(_cardResiduals, kind, excludeFromCalibration);
        var (lo, hi) = Quantiles(residuals, advisor.Options.Coverage);
        var n = residuals.Length;
        var cover = advisor.Options.Coverage.ToString("P0", CultureInfo.InvariantCulture);
        if (kind == ForecastKind.Rmse)
        {
            var scale = labelStd ?? 1;
            var value = point * scale;
            return new MetricForecast(card.PrimaryMetric, kind, value, Math.Max(0, value * (1 + lo)), value * (1 + hi),
                $"card only: RMSE of {choice.Candidate.Id} on similar past datasets in units of their label's standard deviation{(labelStd is null ? " (this card's label scale is unknown, so the value is × std(label))" : "")}; " +
                $"{cover} split-conformal band from {n} leave-one-dataset-out residuals on the results matrix (relative {lo:+0.0%;-0.0%} to {hi:+0.0%;-0.0%})",
                labelStd is null, n);
        }
        // Residuals are calibrated in lift units (share of the room above chance), so a many-class task gets a wider band.
        var room = 1 - Chance(kind, card.IsClassification ? Math.Max(2, card.ClassCount) : 2);
        var low = Math.Clamp(point + lo * room, 0, 1); var high = Math.Clamp(point + hi * room, 0, 1);
        return new MetricForecast(card.PrimaryMetric, kind, point, low, high,
            $"card only: {card.PrimaryMetric} of {choice.Candidate.Id} on similar past datasets, as lift over chance moved to this task's {(kind == ForecastKind.Auc ? "0.5" : $"1/{Math.Max(2, card.ClassCount)}")}; " +
            $"{cover} split-conformal band from {n} leave-one-dataset-out residuals on the results matrix, in units of the room above chance (width {high - low:0.000})", false, n);
    }

    /// <summary>With data: the probe extrapolated to all training rows, with a band from the matrix's probe residuals.</summary>
    /// <param name="minorityShare">Binary tasks: the share of the rarer class (AUC's sampling error depends on it).</param>
    public MetricForecast? FromProbe(string metric, ProbeCurve probe, int testRows, double? minorityShare, string? excludeFromCalibration = null)
    {
        if (KindOf(metric) is not { } kind) return null;
        var higher = TaskDefaults.HigherIsBetter(metric);
        var point = LearningCurveProbe.Extrapolate(probe.Rows, probe.ValidMetric, probe.FullRows, higher);
        var z = Of(_probeResiduals, kind, excludeFromCalibration);
        var (lo, hi) = Quantiles(z, advisor.Options.Coverage);
        var sigma = Sigma(kind, point, testRows, minorityShare);
        var cover = advisor.Options.Coverage.ToString("P0", CultureInfo.InvariantCulture);
        var points = string.Join(", ", probe.Rows.Select((r, i) => $"{r:N0} rows → {probe.ValidMetric[i]:0.####}"));
        var basis = $"probe: trained on {points} (validation), extrapolated to {probe.FullRows:N0} rows with e(n) = a + b/√n in {probe.Elapsed.TotalSeconds:0.0} s; " +
                    $"{cover} split-conformal band from {z.Length} probe residuals on the results matrix, scaled by this test set's sampling error ({testRows:N0} rows)";
        if (kind == ForecastKind.Rmse)
            return new MetricForecast(metric, kind, point, Math.Max(0, point * (1 + lo * sigma)), point * (1 + hi * sigma), basis, false, z.Length);
        return new MetricForecast(metric, kind, point, Math.Clamp(point + lo * sigma, 0, 1), Math.Clamp(point + hi * sigma, 0, 1), basis, false, z.Length);
    }

    /// <summary>The test set's sampling error of the metric (relative, for RMSE).</summary>
    internal static double Sigma(ForecastKind kind, double value, int testRows, double? minorityShare)
    {
        var n = Math.Max(1, testRows);
        return kind switch
        {
            ForecastKind.Rmse => 1 / Math.Sqrt(2.0 * n),
            ForecastKind.Auc => Math.Sqrt((value * (1 - value) + 1.0 / (n * Math.Clamp(minorityShare ?? 0.5, 0.01, 0.5))) / (n * Math.Clamp(minorityShare ?? 0.5, 0.01, 0.5))),
            _ => Math.Sqrt((value * (1 - value) + 1.0 / n) / n),
        };
    }

    /// <summary>Split-conformal quantiles for a central interval: the ⌈(n+1)·q⌉-th order statistics (the widest residuals when n is small).</summary>
    internal static (double Low, double High) Quantiles(double[] residuals, double coverage)
    {
        if (residuals.Length == 0) return (-0.1, 0.1);
        var sorted = residuals.Order().ToArray();
        var n = sorted.Length;
        var tail = (1 - coverage) / 2;
        var lowIndex = (int)Math.Floor((n + 1) * tail) - 1;
        var highIndex = (int)Math.Ceiling((n + 1) * (1 - tail)) - 1;
        return (sorted[Math.Clamp(lowIndex, 0, n - 1)], sorted[Math.Clamp(highIndex, 0, n - 1)]);
    }

    // Leave-one-dataset-out: each matrix dataset forecast from the others, against its real test score on every split.
    private static Dictionary<ForecastKind, List<(string, double)>> CardResiduals(PortfolioAdvisor advisor)
    {
        var result = new Dictionary<ForecastKind, List<(string, double)>>();
        foreach (var d in advisor.Matrix.Datasets)
        {
            if (KindOf(d.Metric) is not { } kind) continue;
            var exclude = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { d.Name };
            var choice = advisor.ChooseZeroShot(d.Card, exclude: exclude); // as the app does: statistics from the card alone
            if (CardPoint(advisor, d.Card, choice) is not { } point) continue;
            var c = advisor.Matrix.IndexOf(choice.Candidate.Id);
            var list = result.TryGetValue(kind, out var l) ? l : result[kind] = [];
            foreach (var real in d.Test[c])
                list.Add((d.Name, kind == ForecastKind.Rmse ? (d.LabelStd is > 0 ? real / d.LabelStd.Value / point - 1 : double.NaN) : (real - point) / (1 - Chance(kind, d.Classes))));
        }
        return result.ToDictionary(kv => kv.Key, kv => kv.Value.Where(r => double.IsFinite(r.Item2)).ToList());
    }

    private static Dictionary<ForecastKind, List<(string, double)>> ProbeResiduals(ResultsMatrix matrix)
    {
        var result = new Dictionary<ForecastKind, List<(string, double)>>();
        foreach (var d in matrix.Datasets)
        {
            if (KindOf(d.Metric) is not { } kind) continue;
            var list = result.TryGetValue(kind, out var l) ? l : result[kind] = [];
            foreach (var p in d.Probes)
            {
                var point = LearningCurveProbe.Extrapolate(p.Rows, p.ValidMetric, p.FullRows, d.HigherIsBetter);
                var sigma = Sigma(kind, point, p.TestRows, d.MajorityShare is { } m ? 1 - m : null);
                list.Add((d.Name, kind == ForecastKind.Rmse ? (p.FullTest / point - 1) / sigma : (p.FullTest - point) / sigma));
            }
        }
        return result.ToDictionary(kv => kv.Key, kv => kv.Value.Where(r => double.IsFinite(r.Item2)).ToList());
    }

    /// <summary>How the bands are calibrated, for the settings page and the bench.</summary>
    public IReadOnlyDictionary<string, (int Points, double Low, double High)> Calibration()
    {
        var cov = advisor.Options.Coverage;
        var result = new Dictionary<string, (int, double, double)>();
        foreach (var k in _cardResiduals.Value.Keys) { var v = Of(_cardResiduals, k, null); var (lo, hi) = Quantiles(v, cov); result[$"card {k}"] = (v.Length, lo, hi); }
        foreach (var k in _probeResiduals.Value.Keys) { var v = Of(_probeResiduals, k, null); var (lo, hi) = Quantiles(v, cov); result[$"probe {k}"] = (v.Length, lo, hi); }
        return result;
    }
}
