using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.Training;

/// <summary>
/// Greedy ensemble selection with replacement (Caruana, Niculescu-Mizil, Crew &amp; Ksikes, ICML 2004), as AutoGluon's
/// weighted ensemble does it: start from the best single model on validation, then add, one at a time and with
/// replacement, whichever model most improves the average's validation objective; a model added n times out of N has
/// weight n / N. The best ensemble seen over the rounds is returned (the curve can turn up once the useful models are in).
/// </summary>
public static class EnsembleSelection
{
    /// <summary>Rounds of greedy selection (AutoGluon's default ensemble size is 25; more rarely changes the weights).</summary>
    public const int DefaultRounds = 25;

    /// <summary>
    /// What the selection minimises on validation: log loss for classification (the card's accuracy is too coarse on a few
    /// hundred validation rows to tell a small improvement from none), 1 − AUC when the card asks for AUC (AUC is about
    /// ranks, which log loss does not measure), and RMSE for regression.
    /// </summary>
    public static double Objective(MlTask task, string primaryMetric, float[] labels, double[] predictions, int classes)
    {
        if (task == MlTask.BinaryClassification && LightGbmTrainer.CurveMetric(task, primaryMetric) == "AUC")
            return 1 - (TestMetrics.RocAuc(labels, predictions) ?? 0.5);
        double sum = 0;
        for (var i = 0; i < labels.Length; i++) sum += RowLoss(task, labels, predictions, i, classes);
        return task == MlTask.Regression ? Math.Sqrt(sum / labels.Length) : sum / labels.Length;
    }

    /// <summary>One row's loss: squared error for regression (RMSE is the root of their mean), log loss otherwise.</summary>
    private static double RowLoss(MlTask task, float[] labels, double[] predictions, int i, int classes)
    {
        const double eps = 1e-15;
        return task switch
        {
            MlTask.Regression => (predictions[i] - labels[i]) * (predictions[i] - labels[i]),
            MlTask.BinaryClassification => -Math.Log(Math.Clamp(labels[i] == 1 ? predictions[i] : 1 - predictions[i], eps, 1)),
            _ => -Math.Log(Math.Clamp(predictions[i * classes + (int)labels[i]], eps, 1)),
        };
    }

    /// <param name="validPredictions">Each model's validation predictions in <see cref="TestMetrics.Compute"/>'s layout.</param>
    /// <returns>How many times each model was picked (zero for the ones left out) and the objective of the result.</returns>
    public static (int[] Counts, double Objective) Select(IReadOnlyList<double[]> validPredictions, float[] labels, MlTask task, string primaryMetric, int classes, int rounds = DefaultRounds)
    {
        if (validPredictions.Count == 0) throw new ArgumentException("No models to ensemble.", nameof(validPredictions));
        var length = validPredictions[0].Length;
        var counts = new int[validPredictions.Count];
        var sum = new double[length];
        var candidate = new double[length];
        var (bestCounts, bestObjective) = (counts, double.PositiveInfinity);
        for (var round = 1; round <= rounds; round++)
        {
            var (pick, pickObjective) = (-1, double.PositiveInfinity);
            for (var m = 0; m < validPredictions.Count; m++)
            {
                var p = validPredictions[m];
                for (var i = 0; i < length; i++) candidate[i] = (sum[i] + p[i]) / round;
                var objective = Objective(task, primaryMetric, labels, candidate, classes);
                if (objective < pickObjective - 1e-12) (pick, pickObjective) = (m, objective); // ties: the earlier (better-ranked) model
            }
            counts[pick]++;
            var picked = validPredictions[pick];
            for (var i = 0; i < length; i++) sum[i] += picked[i];
            if (pickObjective < bestObjective - 1e-12) (bestCounts, bestObjective) = ((int[])counts.Clone(), pickObjective);
        }
        return (bestCounts, bestObjective);
    }

    /// <summary>
    /// How much better <paramref name="ensemble"/> is than <paramref name="single"/> on the same rows, in the selection's
    /// objective, with its standard error: from the per-row differences of log loss or squared error (paired), or, for
    /// AUC, which is not a sum over rows, from 200 seeded paired bootstrap resamples. The selection picked the weights on
    /// these rows, so a gain within noise is no evidence; the race keeps an ensemble only when gain − z·SE &gt; 0.
    /// </summary>
    public static (double Gain, double StandardError) Improvement(MlTask task, string primaryMetric, float[] labels, double[] ensemble, double[] single, int classes)
    {
        var n = labels.Length;
        if (n < 2) return (0, double.PositiveInfinity);
        if (task == MlTask.BinaryClassification && LightGbmTrainer.CurveMetric(task, primaryMetric) == "AUC")
        {
            var random = new Random(20040704);
            var gains = new double[200];
            var (y, a, b) = (new float[n], new double[n], new double[n]);
            for (var r = 0; r < gains.Length; r++)
            {
                for (var i = 0; i < n; i++) { var j = random.Next(n); (y[i], a[i], b[i]) = (labels[j], ensemble[j], single[j]); }
                gains[r] = (TestMetrics.RocAuc(y, a) ?? 0.5) - (TestMetrics.RocAuc(y, b) ?? 0.5);
            }
            var gain = (TestMetrics.RocAuc(labels, ensemble) ?? 0.5) - (TestMetrics.RocAuc(labels, single) ?? 0.5);
            var mean = gains.Average();
            return (gain, Math.Sqrt(gains.Sum(g => (g - mean) * (g - mean)) / (gains.Length - 1)));
        }
        var d = new double[n];
        for (var i = 0; i < n; i++) d[i] = RowLoss(task, labels, single, i, classes) - RowLoss(task, labels, ensemble, i, classes);
        var average = d.Average();
        var variance = d.Sum(x => (x - average) * (x - average)) / (n - 1);
        return (average, Math.Sqrt(variance / n));
    }

    /// <summary>The weighted average of several models' predictions (weights sum to 1).</summary>
    public static double[] Combine(IReadOnlyList<double[]> predictions, IReadOnlyList<double> weights)
    {
        var result = new double[predictions[0].Length];
        for (var m = 0; m < predictions.Count; m++)
        {
            if (weights[m] == 0) continue;
            var p = predictions[m];
            for (var i = 0; i < result.Length; i++) result[i] += weights[m] * p[i];
        }
        return result;
    }
}

/// <summary>One model of an ensemble: the race candidate it is, its weight, its best iteration and its LightGBM text.</summary>
public sealed record EnsembleMember(string Candidate, double Weight, int BestIteration, string Model);

/// <summary>
/// A weighted ensemble of LightGBM models, as the training job keeps it: JSON with a format marker, so the one model
/// column holds either a LightGBM text model or this. Predictions are the weighted average of the members' outputs
/// (probabilities for classification, values for regression).
/// </summary>
public sealed record EnsembleModel(MlTask Task, int Classes, IReadOnlyList<EnsembleMember> Members)
{
    public const string FormatMarker = "automlgpt-lightgbm-ensemble/1";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    private sealed record Stored(string Format, MlTask Task, int Classes, IReadOnlyList<EnsembleMember> Members);

    public string Serialize() => JsonSerializer.Serialize(new Stored(FormatMarker, Task, Classes, Members), Json);

    /// <summary>The ensemble a stored model text is, or null when it is a plain LightGBM model.</summary>
    public static EnsembleModel? TryParse(string modelText)
    {
        if (modelText.Length == 0 || modelText[0] != '{' || !modelText.AsSpan(0, Math.Min(200, modelText.Length)).Contains(FormatMarker, StringComparison.Ordinal)) return null;
        var stored = JsonSerializer.Deserialize<Stored>(modelText, Json);
        return stored is { Format: FormatMarker } ? new EnsembleModel(stored.Task, stored.Classes, stored.Members) : null;
    }

    /// <summary>
    /// The download: each member's LightGBM text model, <c>ensemble.json</c> (task, classes, members, weights) and a README
    /// with the few lines of Python that combine them.
    /// </summary>
    public byte[] ToZip(string title)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            var files = Members.Select((m, i) => $"members/{i + 1:00}_{Safe(m.Candidate)}.txt").ToList();
            for (var i = 0; i < Members.Count; i++) Write(zip, files[i], Members[i].Model);
            var manifest = new
            {
                format = FormatMarker,
                task = Task.ToString(),
                classes = Classes,
                combine = Task == MlTask.Regression ? "weighted mean of the members' predictions" : "weighted mean of the members' class probabilities",
                members = Members.Select((m, i) => new { file = files[i], candidate = m.Candidate, weight = m.Weight, best_iteration = m.BestIteration }),
            };
            Write(zip, "ensemble.json", JsonSerializer.Serialize(manifest, new JsonSerializerOptions { WriteIndented = true }));
            Write(zip, "README.md", Readme(title));
        }
        return buffer.ToArray();
    }

    private string Readme(string title)
    {
        var sb = new StringBuilder();
        sb.Append("# ").Append(title).Append("\n\n");
        sb.Append("A weighted ensemble of ").Append(Members.Count).Append(" LightGBM models chosen by greedy ensemble selection (Caruana et al., 2004) on the validation rows of the app's race.\n\n");
        sb.Append("| member | candidate | weight | best iteration |\n|---|---|---:|---:|\n");
        for (var i = 0; i < Members.Count; i++)
            sb.Append(CultureInfo.InvariantCulture, $"| {i + 1} | {Members[i].Candidate} | {Members[i].Weight:0.###} | {Members[i].BestIteration} |\n");
        sb.Append("\nFeatures must be prepared as for training (the runnable project's `data.py`). To predict:\n\n```python\n");
        sb.Append("import json, lightgbm as lgb\n\nspec = json.load(open(\"ensemble.json\"))\n");
        sb.Append("members = [(lgb.Booster(model_file=m[\"file\"]), m[\"weight\"]) for m in spec[\"members\"]]\n\n");
        sb.Append("def predict(X):\n    # probabilities for classification, values for regression\n    return sum(w * booster.predict(X) for booster, w in members)\n```\n");
        return sb.ToString();
    }

    private static string Safe(string name) => new(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());

    private static void Write(ZipArchive zip, string name, string text)
    {
        using var stream = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
        stream.Write(Encoding.UTF8.GetBytes(text));
    }
}
