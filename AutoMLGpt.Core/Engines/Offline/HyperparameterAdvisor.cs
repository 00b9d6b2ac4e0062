using System.Globalization;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Knowledge;
using AutoMLGpt.Core.Knowledge.Portfolio;
using AutoMLGpt.Core.Knowledge.Catalogue;

namespace AutoMLGpt.Core.Engines.Offline;

/// <summary>A recommended recipe with everything that explains it.</summary>
public sealed record Advice(ModelFamily Family, string? FamilyNote, Recipe Recipe, ResourceSpec Resources, IntentSet Intents, IReadOnlyList<string> TradeOffs, Recommendation? Transfer = null)
{
    /// <summary>The configuration chosen from the results matrix (tabular tree families with a matrix loaded).</summary>
    public ZeroShotChoice? ZeroShot { get; init; }

    /// <summary>The candidates "Race the portfolio" trains on the user's data, and why each is there.</summary>
    public IReadOnlyList<RaceEntry> Race { get; init; } = [];

    /// <summary>The card-only predicted final metric with its calibrated band.</summary>
    public MetricForecast? Forecast { get; init; }

    public FamilyInput Input(ExperimentCards cards) => new(cards.Data, cards.Model, Recipe);
}

/// <summary>
/// Turns a family's published recipe into one for this dataset, this hardware and these requests, by rule.
/// Each change appends its reason to the hyperparameter's rationale, so the table explains itself.
/// </summary>
public static class HyperparameterAdvisor
{
    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    /// <param name="followUp">A chat follow-up whose intents add to the card's requests.</param>
    public static Advice Advise(ExperimentCards cards, string? followUp = null, KnowledgeBase? knowledge = null)
    {
        var (family, note) = ModelCatalogue.Resolve(cards.Model, cards.Data);
        var data = cards.Data;
        var recipe = family.BaseRecipe(data);
        var resources = ResourceSpec.Parse(cards.Request.Resources);
        var intents = IntentSet.Parse($"{cards.Request.Requests}\n{followUp}");
        var tradeOffs = new List<string>();

        ApplyModelCard(recipe, cards.Model);
        Recommendation? transfer = null;
        ZeroShotChoice? zeroShot = null;
        IReadOnlyList<RaceEntry> race = [];
        MetricForecast? forecast = null;
        if (family.IsTreeEnsemble)
        {
            AdviseTrees(recipe, data, resources, intents, tradeOffs);
            if (data.Modality == DataModality.Tabular && knowledge?.Recommend(data, KnowledgePackBuilder.Family) is { } rec)
            {
                transfer = rec;
                if (knowledge.Portfolio is { } portfolio)
                {
                    // Choose one evaluated configuration; never average several into one nobody evaluated.
                    zeroShot = portfolio.ChooseZeroShot(data);
                    ApplyChoice(recipe, family, zeroShot, tradeOffs);
                    race = portfolio.PlanRace(data, zeroShot);
                    forecast = knowledge.Forecaster?.FromCard(data, zeroShot);
                }
                else ApplyTransfer(recipe, family, rec, tradeOffs);
                ApplyIntentsToTransferred(recipe, family, intents);
            }
        }
        else AdviseNetwork(family, recipe, cards, resources, intents, tradeOffs);

        if (intents.Has(Intent.FasterInference))
        {
            var input = new FamilyInput(data, cards.Model, recipe);
            var target = intents.TargetFps is { } fps ? $" (target {F(fps)} FPS)" : "";
            tradeOffs.Add($"Faster inference{target}: {family.MakeFaster(input, intents)}.");
        }
        recipe.Num("seed", 42, "int", "any", "fixed for reproducibility");
        return new Advice(family, note, recipe, resources, intents, tradeOffs, transfer) { ZeroShot = zeroShot, Race = race, Forecast = forecast };
    }

    /// <summary>
    /// Sets every tree value to the chosen candidate's (bounded by the data's size), replacing the rules of thumb: the
    /// configuration is the one that was evaluated. XGBoost gets the equivalent parameters.
    /// </summary>
    private static void ApplyChoice(Recipe r, ModelFamily family, ZeroShotChoice choice, List<string> tradeOffs)
    {
        var knobs = Knobs(family);
        var xgb = knobs.GrowsDepthWise;
        var why = choice.Candidate.IsDefaults ? "LightGBM default, kept: " + choice.Why : $"candidate {choice.Candidate.Id}: {choice.Why}";
        double Get(string key, double fallback) => choice.Values.TryGetValue(key, out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : fallback;
        var bounded = choice.Bounds.Count > 0 ? "; bounded by the data's size: " + string.Join("; ", choice.Bounds) : "";
        r.Replace("learning_rate", Get("learning_rate", 0.1), why);
        if (xgb)
        {
            var leaves = Get("num_leaves", 31);
            r.Replace("max_depth", Math.Clamp(Math.Round(Math.Log2(leaves)) + 1, 3, 12), $"depth for about {F(leaves)} leaves of {choice.Candidate.Id}");
            r.Replace(knobs.FeatureFraction, Get("feature_fraction", 1), choice.Candidate.Id);
            r.Replace(knobs.BaggingFraction, Get("bagging_fraction", 1), choice.Candidate.Id);
            r.Replace(knobs.L2, Get("lambda_l2", 1), choice.Candidate.Id);
            r.Replace(knobs.Rounds, Get("num_iterations", 100), choice.Candidate.IsDefaults ? "LightGBM's 100 rounds" : "upper bound; early stopping decides");
        }
        else
        {
            r.Replace("num_leaves", Get("num_leaves", 31), choice.Candidate.Id + bounded);
            r.Replace("min_data_in_leaf", Get("min_data_in_leaf", 20), choice.Candidate.Id + bounded);
            r.Replace("feature_fraction", Get("feature_fraction", 1), choice.Candidate.Id);
            r.Replace("bagging_fraction", Get("bagging_fraction", 1), choice.Candidate.Id + (Get("bagging_fraction", 1) < 1 ? " (with bagging_freq 1)" : ""));
            r.Replace("lambda_l2", Get("lambda_l2", 0), choice.Candidate.Id);
            if (r["extra_trees"] is { } extra) { extra.Text = choice.Values.GetValueOrDefault("extra_trees", "false"); extra.Rationale = choice.Candidate.Id; }
            r.Replace("num_iterations", Get("num_iterations", 100), choice.Candidate.IsDefaults ? "LightGBM's 100 rounds" : "upper bound; early stopping on the validation loss decides");
            r.Replace("max_bin", 255, "as evaluated in the results matrix");
        }
        r.Replace("early_stopping_rounds", Get("early_stopping_rounds", 0), choice.Candidate.IsDefaults ? "the defaults run their 100 rounds" : "stop when the validation loss has not improved for this many rounds");
        tradeOffs.Add($"Zero-shot choice: {(choice.Candidate.IsDefaults ? "LightGBM's defaults" : choice.Candidate.Id)}. {char.ToUpperInvariant(choice.Why[0])}{choice.Why[1..]}.");
    }

    /// <summary>
    /// Replaces the rule-of-thumb values by those transferred from similar datasets (LightGBM results; XGBoost gets the
    /// equivalent parameters), each with the neighbours and the spread in its rationale.
    /// </summary>
    private static void ApplyTransfer(Recipe r, ModelFamily family, Recommendation rec, List<string> tradeOffs)
    {
        var from = $"transferred from {rec.Summary}";
        var knobs = Knobs(family);
        var xgb = knobs.GrowsDepthWise;
        foreach (var v in rec.Values)
        {
            if (!double.TryParse(v.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) continue;
            var band = v.Low == v.High ? "" : $"; neighbours' spread {v.Low} – {v.High}";
            switch (v.Name)
            {
                case "learning_rate": r.Replace("learning_rate", value, from + band); break;
                case "num_leaves" when xgb:
                    r.Replace("max_depth", Math.Clamp(Math.Round(Math.Log2(value)) + 1, 3, 12), $"{from}: depth for about {v.Value} leaves{band}"); break;
                case "num_leaves": r.Replace("num_leaves", value, from + band); break;
                case "min_data_in_leaf": r.Replace("min_data_in_leaf", value, from + band); break;
                case "feature_fraction": r.Replace(knobs.FeatureFraction, value, from + band); break;
                case "bagging_fraction": r.Replace(knobs.BaggingFraction, value, from + band); break;
                case "lambda_l2": r.Replace(knobs.L2, value, from + band); break;
                case "num_iterations":
                    // An upper bound with room (at least 1000, 3 × the neighbours' best iteration): early stopping on the
                    // validation split decides, so a bound too tight only underfits (seen on Adult at 2.5 ×).
                    r.Replace(knobs.Rounds, Math.Clamp(Math.Max(1000, Math.Round(value * 3)), 100, 5000), $"upper bound: at least 1000 and 3 × the neighbours' best iteration ({v.Value}); early stopping decides; {from}");
                    break;
            }
        }
        if (r["bagging_fraction"] is { Number: < 1 }) r.Adjust("bagging_fraction", r.NumberOf("bagging_fraction")!.Value, "with bagging_freq 1");
        if (rec.Extrapolating)
            tradeOffs.Add($"No past dataset is close to this one (best similarity {rec.Neighbours.Max(n => n.Similarity):0.00}); the transferred values are an extrapolation, so treat them as a starting point and compare with the defaults.");
    }

    // Requests still apply on top of transferred values.
    private static void ApplyIntentsToTransferred(Recipe r, ModelFamily family, IntentSet intents)
    {
        var knobs = Knobs(family);
        var rounds = knobs.Rounds;
        if (intents.Has(Intent.ShorterTraining) && r.NumberOf("learning_rate") is { } lr)
        {
            r.Adjust("learning_rate", Math.Min(0.3, lr * 2), "shorter training: double the learning rate");
            r.Adjust(rounds, Math.Max(50, Math.Round((r.NumberOf(rounds) ?? 200) / 2)), "shorter training: half the rounds");
        }
        if (intents.Has(Intent.HigherAccuracy) && r.NumberOf("learning_rate") is { } lr2)
        {
            r.Adjust("learning_rate", lr2 / 2, "higher accuracy: half the learning rate");
            r.Adjust(rounds, (r.NumberOf(rounds) ?? 200) * 2, "higher accuracy: twice the rounds");
        }
        if (intents.Has(Intent.FasterInference))
        {
            if (r.NumberOf("num_leaves") is { } leaves) r.Adjust("num_leaves", Math.Max(8, Math.Round(leaves / 2)), "faster inference: fewer leaves");
            if (knobs.GrowsDepthWise && r.NumberOf("max_depth") is { } depth) r.Adjust("max_depth", Math.Max(3, depth - 2), "faster inference: shallower trees");
        }
    }

    // Architecture hyperparameters the user typed into the model card win over the family defaults.
    private static void ApplyModelCard(Recipe recipe, ModelCard model)
    {
        foreach (var p in model.Parameters)
        {
            if (recipe[p.Key.Trim()] is not { } hp) continue;
            if (hp.Type is "int" or "float" && double.TryParse(p.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                recipe.Adjust(hp.Name, v, "from the model card");
            else if (hp.Type == "categorical" && p.Value.Trim().Length > 0)
                recipe.AdjustText(hp.Name, p.Value.Trim(), "from the model card");
        }
    }

    private static void AdviseTrees(Recipe r, DataCard d, ResourceSpec res, IntentSet intents, List<string> tradeOffs)
    {
        var n = d.Samples ?? 10_000;
        var trees = r["n_estimators"] is not null ? "n_estimators" : "num_iterations";
        var rows = $"{CardText.Count(n)} rows";
        // Lower learning rate with more rounds and early stopping beats the defaults on all but tiny data (Friedman 2001 shrinkage).
        var (lr, rounds, stop) = n switch
        {
            < 2_000 => (0.05, 300, 30),
            < 50_000 => (0.05, 1000, 50),
            _ => (0.05, 2000, 100),
        };
        r.Adjust("learning_rate", lr, $"{rows}: shrinkage 0.05 with early stopping generalises better than the default");
        r.Adjust(trees, rounds, $"{rows}: upper bound, early stopping picks the number");
        r.Adjust("early_stopping_rounds", stop, "stop when the validation metric has not improved for this many rounds");
        if (n < 2_000)
        {
            r.Adjust("max_depth", 4, $"{rows}: shallow trees avoid overfitting");
            r.Adjust("num_leaves", 15, $"{rows}: fewer leaves avoid overfitting");
            r.Adjust("min_data_in_leaf", 10, $"{rows}: smaller leaves allowed");
            r.Adjust("lambda_l2", 1, "L2 on leaf values for small data");
        }
        else if (n >= 100_000)
        {
            r.Adjust("num_leaves", 63, $"{rows}: larger trees pay off");
            r.Adjust("max_depth", 8, $"{rows}: deeper trees pay off");
            r.Adjust("min_data_in_leaf", 50, $"{rows}: larger leaves keep splits stable");
        }
        if (n >= 5_000)
        {
            r.Adjust("subsample", 0.8, "row subsampling reduces variance");
            r.Adjust("bagging_fraction", 0.8, "row subsampling reduces variance (with bagging_freq 1)");
        }
        var features = d.Features ?? d.NumericColumnList.Count + d.CategoricalColumnList.Count;
        if (features >= 5)
        {
            var frac = features >= 100 ? 0.5 : 0.8;
            r.Adjust("colsample_bytree", frac, $"{features} features: column subsampling decorrelates trees");
            r.Adjust("feature_fraction", frac, $"{features} features: column subsampling decorrelates trees");
        }
        if (d.Task == MlTask.BinaryClassification && d.PrimaryMetric.Contains("auc", StringComparison.OrdinalIgnoreCase))
            tradeOffs.Add("AUC ignores the decision threshold; if you deploy hard labels, pick the threshold on the validation split.");

        if (res.HasGpu && r["tree_method"] is not null)
        {
            r.Text("device", "cuda", "cpu | cuda", $"{res.GpuName}: GPU histogram building");
        }
        r.Num("n_jobs", res.HasGpu ? Math.Max(2, res.CpuCores) : res.CpuCores, "int", "1 – cores", res.HasGpu ? "host threads for data handling" : $"{res.CpuCores} CPU cores");

        if (intents.Has(Intent.HigherAccuracy))
        {
            var now = r.NumberOf("learning_rate") ?? lr;
            r.Adjust("learning_rate", now / 2, "higher accuracy: half the learning rate");
            r.Adjust(trees, (r.NumberOf(trees) ?? rounds) * 2, "higher accuracy: twice the rounds to match");
            tradeOffs.Add("Higher accuracy: half the learning rate with twice the rounds usually gains 0.1–0.3 points at twice the training time.");
        }
        if (intents.Has(Intent.ShorterTraining))
        {
            var now = r.NumberOf("learning_rate") ?? lr;
            r.Adjust("learning_rate", Math.Min(0.3, now * 2), "shorter training: double the learning rate");
            r.Adjust(trees, Math.Max(50, (r.NumberOf(trees) ?? rounds) / 2), "shorter training: half the rounds");
            tradeOffs.Add("Shorter training: doubling the learning rate and halving the rounds halves training time, usually for −0.1 to −0.3 points.");
        }
        if (intents.Has(Intent.LessMemory))
        {
            r.Adjust("max_bin", 63, "less memory: 63 histogram bins");
            tradeOffs.Add("Less memory: fewer histogram bins (and column subsampling) cut the dataset's memory by about 4×; trees are rarely hurt.");
        }
    }

    private static void AdviseNetwork(ModelFamily family, Recipe r, ExperimentCards cards, ResourceSpec res, IntentSet intents, List<string> tradeOffs)
    {
        var d = cards.Data;
        var n = d.Samples;
        var refBatch = r.NumberOf("batch_size") ?? 256;
        var baseLr = r.NumberOf("learning_rate") ?? 1e-3;
        var epochs = r.NumberOf("epochs") ?? 100;

        // Dataset size: fine-tune pretrained weights below ImageNet scale; epochs follow the published small/large split.
        if (n is { } samples)
        {
            var rows = $"{CardText.Count(samples)} samples";
            // A reference batch made for ImageNet would leave a small dataset one optimiser step per epoch.
            var dataCap = Math.Max(8, PowerOfTwoAtMost(samples / 50.0));
            if (refBatch > dataCap && !family.LearnsFromInBatchNegatives)
            {
                var lrFactor = family.ScaleLrLinearly ? dataCap / refBatch : Math.Sqrt(dataCap / refBatch);
                baseLr *= lrFactor;
                r.Adjust("learning_rate", baseLr, $"{rows}: batch {F(dataCap)} instead of {F(refBatch)}, learning rate × {F(lrFactor)}");
                r.Adjust("batch_size", dataCap, $"{rows}: at least 50 optimiser steps per epoch");
                if (r.NumberOf("per_gpu_batch_size") is { } perGpuBatch && perGpuBatch > dataCap) r.Adjust("per_gpu_batch_size", dataCap, "");
                refBatch = dataCap;
            }
            if (family.AdaptToDataSize is { } adapt)
            {
                var adaptation = new DataSizeAdaptation(r, samples, tradeOffs) { BaseLearningRate = baseLr, Epochs = epochs, ReferenceBatch = refBatch };
                adapt(adaptation);
                (baseLr, epochs, refBatch) = (adaptation.BaseLearningRate, adaptation.Epochs, adaptation.ReferenceBatch);
            }
        }

        // Input size from the card's resolution where the family has one.
        if (family.InputSizeParameter == "image_size" && d.ResolutionSize is { } size && cards.Model.Parameter("image_size") is null && family.TakesCardResolution)
        {
            var side = Math.Min(size.Width, size.Height);
            if (side < (r.NumberOf("image_size") ?? 224))
                r.Adjust("image_size", Math.Max(32, side), $"images are {size.Width}×{size.Height}: no upsampling beyond the native size");
        }

        // Memory-bound batch per GPU, then gradient accumulation and linear learning-rate scaling.
        var memory = intents.MemoryLimitGb ?? (res.HasGpu ? res.GpuMemoryGb : 0);
        var perGpuRef = r.NumberOf("per_gpu_batch_size") ?? refBatch;
        var devices = Math.Max(1, res.GpuCount);
        double perGpu;
        string why;
        if (!res.HasGpu)
        {
            perGpu = Math.Min(perGpuRef, family.TrainsWellOnCpu ? perGpuRef : 16);
            why = family.TrainsWellOnCpu ? $"CPU training is fine for {(family.DisplayName == "MLP" ? "an" : "a")} {family.DisplayName}" : "CPU only: small batches; expect training to be 20–50× slower than on one modern GPU";
        }
        else
        {
            var scale = family.InputSizeParameter is { } p && r.NumberOf(p) is { } now ? Math.Pow(now / family.ReferenceInputSize, family.InputSizeMemoryExponent) : 1;
            var paramsGb = family.ParamsMillions(new FamilyInput(d, cards.Model, r)) * 16 / 1000; // weights, grads and Adam moments in fp32
            var free = memory * 0.85 - paramsGb - 1.0; // 15% fragmentation headroom, ~1 GB CUDA context
            var fits = free <= 0 ? 1 : Math.Floor(free / (family.GbPerSample * scale));
            perGpu = PowerOfTwoAtMost(Math.Max(1, Math.Min(perGpuRef, fits)));
            why = fits < perGpuRef ? $"{F(memory)} GB per GPU fits about {F(fits)} samples at this input size" : $"the reference per-GPU batch fits in {F(memory)} GB";
        }
        if (intents.Has(Intent.LessMemory))
        {
            perGpu = Math.Max(1, perGpu / 2);
            why += "; halved for less memory";
            tradeOffs.Add("Less memory: half the per-GPU batch with gradient accumulation keeps the effective batch; activation checkpointing would save another ~40% for ~25% more time.");
        }
        if (intents.Has(Intent.SmallerBatch))
        {
            perGpu = Math.Max(1, perGpu / 2);
            why += "; halved on request";
        }
        var total = perGpu * devices;
        var accumulate = family.LearnsFromInBatchNegatives ? 1 : Math.Clamp(Math.Ceiling(refBatch / total), 1, 8);
        if (intents.Has(Intent.SmallerBatch)) accumulate = 1;
        var effective = total * accumulate;
        r.Explain("per_gpu_batch_size", perGpu, why);
        r.Explain("gradient_accumulation_steps", accumulate, accumulate > 1 ? $"reach an effective batch of {F(effective)} (reference {F(refBatch)})" : "");
        r.Explain("batch_size", effective, $"{F(perGpu)} per device × {devices} device{(devices > 1 ? "s" : "")}{(accumulate > 1 ? $" × {F(accumulate)} accumulation steps" : "")}");
        if (Math.Abs(effective - refBatch) > 0.5)
        {
            if (family.ScaleLrLinearly)
                r.Adjust("learning_rate", baseLr * effective / refBatch, $"linear scaling: × {F(effective)}/{F(refBatch)} (Goyal et al. 2017)");
            else if (family.LearnsFromInBatchNegatives)
                tradeOffs.Add($"DPR learns from in-batch negatives: a batch of {F(effective)} instead of {F(refBatch)} gives each question fewer negatives, which costs recall (Karpukhin et al. 2020, Table 3: batch 32 → 128 adds about 3 points top-20); the learning rate stays at 1e-5.");
            else if (effective < refBatch)
                r.Adjust("learning_rate", baseLr * Math.Sqrt(effective / refBatch), $"square-root scaling for Adam-type optimisers: × √({F(effective)}/{F(refBatch)})");
        }
        if (res.HasGpu && r["mixed_precision"] is { Text: "fp32" } && family.MixedPrecisionOnGpu)
            r.AdjustText("mixed_precision", "fp16", "GPU training: mixed precision");
        if (!res.HasGpu) r.AdjustText("mixed_precision", "fp32", "CPU: no mixed precision");

        if (intents.Has(Intent.HigherAccuracy))
        {
            r.Adjust("epochs", Math.Round(epochs * 1.5), "higher accuracy: 1.5× the epochs");
            tradeOffs.Add("Higher accuracy: 1.5× the epochs gives a small gain where the validation curve is still rising; check the predicted log before paying for it.");
        }
        if (intents.Has(Intent.ShorterTraining))
        {
            r.Adjust("epochs", Math.Max(1, Math.Round(epochs / 2)), "shorter training: half the epochs");
            if (r.NumberOf("lr_drop_epoch") is { } drop) r.Adjust("lr_drop_epoch", Math.Round(drop / 2), "keeps the drop at the same point of training");
            tradeOffs.Add("Shorter training: half the epochs halves the time; the final metric usually drops a little because the schedule ends earlier.");
        }
    }

    // The results matrix speaks LightGBM; a family without tree knobs of its own is given LightGBM's names.
    private static TreeKnobs Knobs(ModelFamily family) => family.TreeKnobs ?? ModelCatalogue.LightGbm.TreeKnobs!;

    private static double PowerOfTwoAtMost(double v) => Math.Pow(2, Math.Floor(Math.Log2(Math.Max(1, v))));
}
