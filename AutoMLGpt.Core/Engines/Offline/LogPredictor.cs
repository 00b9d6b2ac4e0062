using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.Knowledge.Catalogue;

namespace AutoMLGpt.Core.Engines.Offline;

/// <summary>
/// Stage D of the offline engine: a predicted learning curve and a log in the family's own style. The final metric is
/// anchored on a published result where the dataset is known, else on a prior for the task; the band says how sure.
/// </summary>
public static class LogPredictor
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static (PredictedCurve Curve, string Log) Predict(ExperimentCards cards, Advice advice)
    {
        var d = cards.Data;
        var (metric, final, halfBand, basis) = Anchor(d, advice);
        var higher = TaskDefaults.HigherIsBetter(metric);
        var schedule = Schedule(d, advice);
        var rng = new Random(StableHash($"{d.Name}|{advice.Family.Key}|{schedule.Total}"));

        // Saturating curves: the metric approaches its final value, the loss decays; rate set so ~95% is reached at 60% of training.
        var start = higher ? StartValue(d, metric, final) : final * 2.2;
        var lossStart = InitialLoss(d, advice);
        var lossEnd = lossStart * (advice.Family.IsTreeEnsemble ? 0.45 : 0.18);
        var points = new List<CurvePoint>();
        foreach (var s in schedule.Positions)
        {
            var progress = 1 - Math.Exp(-5.0 * s / schedule.Total);
            var jitter = (rng.NextDouble() - 0.5) * halfBand * 0.25 * (1 - progress * 0.7);
            var value = start + (final - start) * progress + jitter;
            var loss = lossEnd + (lossStart - lossEnd) * Math.Exp(-5.0 * s / schedule.Total) * (1 + (rng.NextDouble() - 0.5) * 0.04);
            points.Add(new CurvePoint(s, Math.Round(loss, 4), Math.Round(value, 4)));
        }
        points[^1] = points[^1] with { ValidMetric = Math.Round(final, 4) };
        // Accuracy and AUC cannot leave [0, 1]; neither can their band.
        var bounded = higher && final <= 1;
        var low = Math.Round(bounded ? Math.Max(0, final - halfBand) : final - halfBand, 4);
        var high = Math.Round(bounded ? Math.Min(1, final + halfBand) : final + halfBand, 4);
        if (advice.Forecast is { } f && !HasPublishedAnchor(d, advice))
        {
            // The calibrated band is asymmetric: keep it as it is.
            low = Math.Round(f.Low, 4);
            high = Math.Round(f.High, 4);
        }
        var curve = new PredictedCurve(metric, higher, schedule.Unit, points, final, low, high, basis);
        return (curve, Render(cards, advice, curve, schedule));
    }

    private static bool HasPublishedAnchor(DataCard d, Advice a) => a.Family.References.Any(r => Regex.IsMatch(d.Name, r.DatasetPattern, RegexOptions.IgnoreCase));

    private static (string Metric, double Final, double HalfBand, string Basis) Anchor(DataCard d, Advice a)
    {
        if (a.Forecast is { } f && !HasPublishedAnchor(d, a))
            return (f.InLabelStdUnits ? f.Metric + " / std(label)" : f.Metric, Math.Round(f.Value, 4), Math.Max(0.0005, f.Width / 2), f.Basis);
        foreach (var r in a.Family.References)
        {
            if (!Regex.IsMatch(d.Name, r.DatasetPattern, RegexOptions.IgnoreCase)) continue;
            var value = r.Value / 100;
            var adjust = 0.0; var why = new List<string>();
            if (a.Recipe["image_size"] is { Number: { } img } && a.Family.ReferenceInputSize > 0 && img < a.Family.ReferenceInputSize)
            { adjust -= 0.015 * Math.Log2(a.Family.ReferenceInputSize / img) / 0.5; why.Add("smaller input"); }
            if (a.Intents.Has(Intent.ShorterTraining)) { adjust -= 0.005; why.Add("shorter schedule"); }
            var anchored = Math.Clamp(value + adjust, 0.01, 0.999);
            var basis = $"anchored on {r.Source}: {r.Value.ToString("0.0", Inv)}{(why.Count > 0 ? $", adjusted for {string.Join(" and ", why)}" : "")}";
            return (r.Metric, anchored, 0.01 + Math.Abs(adjust) * 0.5, basis);
        }
        // Only scale-free metrics carry over between datasets (an RMSE depends on the target's units).
        if (a.Transfer?.Score is { } transferred && TaskDefaults.HigherIsBetter(d.PrimaryMetric) && string.Equals(a.Transfer.Metric, d.PrimaryMetric, StringComparison.OrdinalIgnoreCase))
        {
            var half = Math.Max(0.005, (transferred.High - transferred.Low) / 2 + (a.Transfer.Extrapolating ? 0.03 : 0));
            return (d.PrimaryMetric, Math.Round(transferred.Value, 4), half, $"measured test {d.PrimaryMetric} of LightGBM on similar datasets, {a.Transfer.Summary}{(a.Transfer.Extrapolating ? "; no close neighbour, so the band is widened" : "")}");
        }
        var metric = d.PrimaryMetric;
        var n = Math.Max(10, d.Samples ?? 10_000);
        var scale = Math.Clamp((Math.Log10(n) - 2) / 4, 0, 1); // 100 rows → 0, 1M rows → 1
        var m = metric.ToLowerInvariant();
        if (!TaskDefaults.HigherIsBetter(metric))
            return (metric + " / std(label)", Math.Round(0.62 - 0.25 * scale, 3), 0.12, $"prior for {TaskDefaults.Display(d.Task)} at {CardText.Count(n)} rows, in units of the label's standard deviation (no published result for this dataset and model)");
        double final = d.Task switch
        {
            MlTask.ObjectDetection => 0.28 + 0.14 * scale,
            MlTask.Segmentation => 0.55 + 0.2 * scale,
            MlTask.QuestionAnswering => 0.62 + 0.17 * scale,
            _ when m.Contains("auc") => 0.80 + 0.12 * scale,
            _ => Chance(d) + (1 - Chance(d)) * (0.55 + 0.35 * scale),
        };
        if (a.Family.IsTreeEnsemble && d.Modality != DataModality.Tabular) final -= 0.05;
        return (metric, Math.Round(final, 4), 0.06, $"prior for {TaskDefaults.Display(d.Task)} with {Math.Max(1, d.ClassCount)} label(s) at {CardText.Count(n)} samples (no published result for this dataset and model: wide band)");
    }

    private static double Chance(DataCard d) => 1.0 / Math.Max(2, d.ClassCount);

    private static double StartValue(DataCard d, string metric, double final)
    {
        var m = metric.ToLowerInvariant();
        if (m.Contains("auc")) return 0.5 + (final - 0.5) * 0.6;
        if (d.IsClassification) return Chance(d) + (final - Chance(d)) * 0.35;
        return final * 0.15;
    }

    private static double InitialLoss(DataCard d, Advice a) => d.Task switch
    {
        MlTask.BinaryClassification => 0.693,
        MlTask.MulticlassClassification => Math.Log(Math.Max(2, d.ClassCount)),
        MlTask.ObjectDetection => 12.5,
        MlTask.Segmentation => 1.1,
        MlTask.QuestionAnswering => a.Family.LearnsFromInBatchNegatives ? Math.Log(Math.Max(2, (a.Recipe.NumberOf("per_gpu_batch_size") ?? 16) * 2)) : 5.9,
        _ => 1.0,
    };

    /// <summary>Where the curve is evaluated: boosting rounds, epochs, or optimiser steps for runs of a few epochs.</summary>
    private sealed record LogSchedule(string Unit, int Total, IReadOnlyList<int> Positions, double StepsPerEpoch);

    private static LogSchedule Schedule(DataCard d, Advice a)
    {
        if (a.Family.IsTreeEnsemble)
        {
            var lr = a.Recipe.NumberOf("learning_rate") ?? 0.1;
            var max = (int)(a.Recipe.NumberOf("n_estimators") ?? a.Recipe.NumberOf("num_iterations") ?? 100);
            // With shrinkage lr, boosting typically stops improving after ~15–25/lr rounds.
            var best = Math.Min(max, (int)Math.Round(20 / lr));
            var every = best >= 400 ? 50 : best >= 100 ? 10 : 5;
            return new("iteration", best, Every(best, every), 1);
        }
        var epochs = (int)Math.Max(1, a.Recipe.NumberOf("epochs") ?? 10);
        if (epochs >= 10) return new("epoch", epochs, Every(epochs, (int)Math.Ceiling(epochs / 30.0)), 1);
        // A few epochs (BERT fine-tuning): evaluate about 20 times in optimiser steps, as Hugging Face's Trainer logs.
        var perEpoch = Math.Max(1, Math.Ceiling((d.Samples ?? 10_000) / Math.Max(1, a.Recipe.NumberOf("batch_size") ?? 32)));
        var total = (int)(perEpoch * epochs);
        var positions = Enumerable.Range(1, 20).Select(i => (int)Math.Round(total * i / 20.0)).Where(p => p > 0).Distinct().ToList();
        return new("step", total, positions, perEpoch);
    }

    private static List<int> Every(int total, int every) =>
        Enumerable.Range(1, total).Where(s => s == 1 || s % every == 0 || s == total).ToList();

    private static string Pct(double v) => (v * 100).ToString("0.00", Inv);
    private static string N4(double v) => v.ToString("0.0000", Inv);

    private static string Render(ExperimentCards cards, Advice a, PredictedCurve c, LogSchedule schedule)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"# PREDICTED training log ({a.Family.DisplayName} on {cards.Data.Name}); nothing was trained to produce it.");
        var shown = c.Points;
        var lr = a.Recipe.NumberOf("learning_rate") ?? 1e-3;
        var steps = schedule.Total;
        double EpochOf(int step) => step / schedule.StepsPerEpoch;
        switch (a.Family.LogStyle)
        {
            case LogStyle.XGBoost:
                var xm = (a.Recipe["eval_metric"]?.Text ?? "logloss").Split(',')[0];
                foreach (var p in shown)
                    sb.AppendLine(Inv, $"[{p.Step - 1}]\ttrain-{xm}:{N4(p.TrainLoss * 0.93)}\tvalidation-{xm}:{N4(XgbValue(xm, p, c))}");
                sb.AppendLine(Inv, $"Will train until validation-{xm} hasn't improved in {a.Recipe.NumberOf("early_stopping_rounds") ?? 50} rounds.");
                sb.AppendLine(Inv, $"Best iteration: [{steps - 1}]");
                break;
            case LogStyle.LightGbm:
                var lm = (a.Recipe["metric"]?.Text ?? "binary_logloss").Split(',')[0];
                sb.AppendLine("[LightGBM] [Info] Using histogram bins; missing values kept as missing");
                sb.AppendLine(Inv, $"Training until validation scores don't improve for {a.Recipe.NumberOf("early_stopping_rounds") ?? 50} rounds");
                foreach (var p in shown)
                    sb.AppendLine(Inv, $"[{p.Step}]\ttraining's {lm}: {N4(p.TrainLoss * 0.93)}\tvalid_1's {lm}: {N4(XgbValue(lm, p, c))}");
                sb.AppendLine(Inv, $"Early stopping, best iteration is: [{steps}]");
                break;
            case LogStyle.Detr:
                foreach (var p in shown)
                {
                    var lrNow = p.Step > (a.Recipe.NumberOf("lr_drop_epoch") ?? int.MaxValue) ? lr / 10 : lr;
                    sb.AppendLine(Inv, $"Epoch: [{p.Step - 1}]  Total: lr: {lrNow:0.000000}  loss: {p.TrainLoss:0.0000}  loss_ce: {p.TrainLoss * 0.08:0.0000}  loss_bbox: {p.TrainLoss * 0.045:0.0000}  loss_giou: {p.TrainLoss * 0.06:0.0000}");
                    sb.AppendLine(Inv, $"IoU metric: bbox  Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = {p.ValidMetric:0.000}");
                }
                break;
            case LogStyle.HuggingFace:
                foreach (var p in shown)
                {
                    sb.AppendLine(Inv, $"{{'loss': {p.TrainLoss:0.0000}, 'learning_rate': {lr * (1 - (double)p.Step / steps):0.000e+00}, 'epoch': {EpochOf(p.Step):0.00}, 'step': {p.Step}}}");
                    sb.AppendLine(Inv, $"{{'eval_loss': {p.TrainLoss * 1.08:0.0000}, 'eval_{Key(c.Metric)}': {N4(p.ValidMetric)}, 'epoch': {EpochOf(p.Step):0.00}}}");
                }
                break;
            case LogStyle.Dpr:
                foreach (var p in shown)
                {
                    sb.AppendLine(Inv, $"Epoch: {p.Step - 1}: Avg. loss per last 100 batches: {p.TrainLoss:0.000000}, lr={lr * (1 - (double)p.Step / steps):0.000e+00}");
                    sb.AppendLine(Inv, $"NLL validation: loss = {p.TrainLoss * 1.1:0.000}. correct prediction ratio = {Pct(p.ValidMetric)}%  (Av.rank validation: average rank {Math.Max(1.5, 40 * (1 - p.ValidMetric)):0.00})");
                }
                break;
            case LogStyle.NnUnet:
                foreach (var p in shown)
                    sb.AppendLine(Inv, $"Epoch {p.Step - 1}  train_loss {-p.ValidMetric * 0.9 + p.TrainLoss * 0.2:0.0000}  val_loss {-p.ValidMetric * 0.85 + p.TrainLoss * 0.25:0.0000}  Pseudo dice [{p.ValidMetric:0.0000}]  lr {lr * Math.Pow(1 - (double)(p.Step - 1) / steps, 0.9):0.00000}");
                break;
            case LogStyle.Lightning:
                foreach (var p in shown)
                    sb.AppendLine(Inv, $"Epoch {p.Step - 1}: train_loss={p.TrainLoss:0.0000}, val_loss={p.TrainLoss * 1.07:0.0000}, val_{Key(c.Metric)}={N4(p.ValidMetric)}");
                break;
            default: // timm
                var batches = cards.Data.Samples is { } n ? Math.Max(1, (int)(n / Math.Max(1, a.Recipe.NumberOf("batch_size") ?? 256))) : 1000;
                foreach (var p in shown)
                {
                    sb.AppendLine(Inv, $"Train: {Math.Ceiling(EpochOf(p.Step)) - 1} [{batches - 1,5}/{batches} (100%)]  Loss: {p.TrainLoss:0.000}  LR: {lr * 0.5 * (1 + Math.Cos(Math.PI * p.Step / steps)):0.000e+00}");
                    sb.AppendLine(Inv, $"Test: [ {Math.Ceiling(EpochOf(p.Step)) - 1} ]  Acc@1: {Pct(p.ValidMetric)}");
                }
                break;
        }
        sb.AppendLine();
        var range = c.HigherIsBetter && c.High <= 1.0001 ? $"{Pct(c.Final)}% (likely range {Pct(c.Low)}–{Pct(c.High)}%)" : $"{N4(c.Final)} (likely range {N4(c.Low)}–{N4(c.High)})";
        sb.AppendLine($"PREDICTION: final {c.Metric} ≈ {range} after {steps:N0} {c.StepUnit}s.");
        sb.Append($"Basis: {c.Basis}.");
        return sb.ToString();
    }

    // Trees print loss-like metrics by default; an AUC or error metric maps from the curve's validation metric.
    private static double XgbValue(string metric, CurvePoint p, PredictedCurve c) =>
        metric.Contains("auc") ? p.ValidMetric
        : metric.Contains("error") ? 1 - p.ValidMetric
        : metric.Contains("rmse") ? p.ValidMetric
        : p.TrainLoss * 1.05;

    private static string Key(string metric) => Regex.Replace(metric.ToLowerInvariant(), "[^a-z0-9]+", "_").Trim('_');

    /// <summary>FNV-1a: stable across processes, unlike string.GetHashCode.</summary>
    internal static int StableHash(string s)
    {
        unchecked
        {
            var h = 2166136261u;
            foreach (var ch in s) { h ^= ch; h *= 16777619; }
            return (int)(h & 0x7FFFFFFF);
        }
    }
}
