using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Training;

namespace AutoMLGpt.Core.Knowledge.Portfolio;

/// <summary>The validation metric after training on growing subsamples of the training rows.</summary>
public sealed record ProbeCurve(int[] Rows, double[] ValidMetric, int FullRows, TimeSpan Elapsed);

/// <summary>
/// A quick learning-curve probe: train a configuration on 25%, 50% and 75% of the training rows, score each on the full
/// validation split, and extrapolate the error to all rows with a power law, e(n) = a + b / √n (the learning-curve shape
/// of Cortes et al. 1994 and Mohr &amp; van Rijn 2022, with the exponent fixed because three points cannot fit it).
/// </summary>
public static class LearningCurveProbe
{
    public static readonly double[] Fractions = [0.25, 0.5, 0.75];

    /// <summary>Above this many training rows, the subsamples are fractions of this many (a probe must stay a few seconds).</summary>
    public const int MaxProbeRows = 40_000;

    public static ProbeCurve Run(TabularData data, PortfolioCandidate candidate, string metric, int threads, CancellationToken cancellationToken) =>
        Run(data, candidate.Parameters(data.Task, data.Classes.Length, threads), metric, cancellationToken);

    public static ProbeCurve Run(TabularData data, TrainingParameters parameters, string metric, CancellationToken cancellationToken)
    {
        var start = DateTime.UtcNow;
        var rng = new Random(7);
        var shuffled = data.Split.Train.OrderBy(_ => rng.Next()).ToArray();
        var rows = new List<int>();
        var values = new List<double>();
        foreach (var fraction in Fractions)
        {
            var n = Math.Max(Math.Min(20, shuffled.Length), (int)Math.Round(Math.Min(shuffled.Length, MaxProbeRows) * fraction));
            var subset = shuffled[..n].Order().ToArray();
            using var split = LightGbmSplit.Create(data, trainRows: subset);
            var outcome = LightGbmTrainer.Train(split, parameters, data.Task, metric, null, trainMetricEvery: 0, saveModel: false, cancellationToken: cancellationToken);
            rows.Add(n);
            values.Add(outcome.BestValidMetric);
        }
        return new ProbeCurve([.. rows], [.. values], data.Split.Train.Length, DateTime.UtcNow - start);
    }

    /// <summary>The metric extrapolated to <paramref name="fullRows"/> training rows.</summary>
    public static double Extrapolate(IReadOnlyList<int> rows, IReadOnlyList<double> metric, int fullRows, bool higherIsBetter)
    {
        // Error scale: 1 − metric for accuracy and AUC, the metric itself for RMSE.
        var e = metric.Select(m => higherIsBetter ? 1 - m : m).ToArray();
        var x = rows.Select(n => 1 / Math.Sqrt(Math.Max(1, n))).ToArray();
        double mx = x.Average(), me = e.Average(), sxy = 0, sxx = 0;
        for (var i = 0; i < x.Length; i++) { sxy += (x[i] - mx) * (e[i] - me); sxx += (x[i] - mx) * (x[i] - mx); }
        var b = sxx > 0 ? sxy / sxx : 0;
        double predicted;
        if (b <= 0) predicted = e[^1]; // no learning left to see in the probe (or noise): the largest subsample's value
        else
        {
            var a = me - b * mx;
            predicted = a + b / Math.Sqrt(Math.Max(1, fullRows));
            // Never extrapolate past what the largest subsample and the trend can justify.
            predicted = Math.Clamp(predicted, Math.Max(0, e[^1] - (e[0] - e[^1])), e[^1]);
        }
        return higherIsBetter ? Math.Clamp(1 - predicted, 0, 1) : Math.Max(0, predicted);
    }
}
