using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.Training;

/// <summary>Test-set metrics of a trained model; those that do not apply to the task are null.</summary>
public sealed record TestMetrics(double? Accuracy, double? Auc, double? LogLoss, double? Rmse, double? Mae, double? R2, int Rows)
{
    /// <summary>The value of a card metric name ("accuracy", "AUC", "RMSE", …), or null when not measured.</summary>
    public double? Get(string metric)
    {
        var m = metric.ToLowerInvariant();
        return m.Contains("auc") ? Auc : m.Contains("rmse") ? Rmse : m.Contains("mae") ? Mae : m.Contains("r2") || m.Contains("r²") ? R2
            : m.Contains("loss") ? LogLoss : m.Contains("acc") ? Accuracy : null;
    }

    /// <summary>The metrics that were measured, with display names, in a fixed order.</summary>
    public IEnumerable<(string Name, double Value)> Named()
    {
        if (Accuracy is { } a) yield return ("accuracy", a);
        if (Auc is { } auc) yield return ("AUC", auc);
        if (LogLoss is { } ll) yield return ("log loss", ll);
        if (Rmse is { } rmse) yield return ("RMSE", rmse);
        if (Mae is { } mae) yield return ("MAE", mae);
        if (R2 is { } r2) yield return ("R²", r2);
    }

    /// <summary>Binary: p = P(class 1); multiclass: probs row-major [rows × classes]; regression: predictions.</summary>
    public static TestMetrics Compute(MlTask task, float[] labels, double[] predictions, int classes)
    {
        var n = labels.Length;
        if (task == MlTask.Regression)
        {
            double se = 0, ae = 0, mean = labels.Average(l => (double)l), ss = 0;
            for (var i = 0; i < n; i++) { var d = predictions[i] - labels[i]; se += d * d; ae += Math.Abs(d); ss += (labels[i] - mean) * (labels[i] - mean); }
            return new TestMetrics(null, null, null, Math.Sqrt(se / n), ae / n, ss > 0 ? 1 - se / ss : null, n);
        }
        const double eps = 1e-15;
        int correct = 0; double logLoss = 0;
        if (task == MlTask.BinaryClassification)
        {
            for (var i = 0; i < n; i++)
            {
                var p = Math.Clamp(predictions[i], eps, 1 - eps);
                if ((p >= 0.5 ? 1 : 0) == (int)labels[i]) correct++;
                logLoss -= labels[i] == 1 ? Math.Log(p) : Math.Log(1 - p);
            }
            return new TestMetrics(correct / (double)n, RocAuc(labels, predictions), logLoss / n, null, null, null, n);
        }
        for (var i = 0; i < n; i++)
        {
            var row = predictions.AsSpan(i * classes, classes);
            var best = 0;
            for (var c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
            if (best == (int)labels[i]) correct++;
            logLoss -= Math.Log(Math.Clamp(row[(int)labels[i]], eps, 1));
        }
        return new TestMetrics(correct / (double)n, null, logLoss / n, null, null, null, n);
    }

    /// <summary>ROC AUC by the rank-sum formula, ties sharing their average rank.</summary>
    public static double? RocAuc(float[] labels, double[] scores)
    {
        var order = Enumerable.Range(0, labels.Length).OrderBy(i => scores[i]).ToArray();
        var ranks = new double[labels.Length];
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]]) j++;
            var rank = (i + j) / 2.0 + 1;
            for (var k = i; k <= j; k++) ranks[order[k]] = rank;
            i = j + 1;
        }
        double positives = labels.Count(l => l == 1), negatives = labels.Length - positives;
        if (positives == 0 || negatives == 0) return null;
        var sum = Enumerable.Range(0, labels.Length).Where(i => labels[i] == 1).Sum(i => ranks[i]);
        return (sum - positives * (positives + 1) / 2) / (positives * negatives);
    }
}
