using System.Diagnostics;
using System.Globalization;
using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.Training;

/// <summary>One boosting iteration: training and validation loss, and the validation value of the card's metric.</summary>
public sealed record IterationMetrics(int Iteration, double TrainLoss, double ValidLoss, double ValidMetric);

/// <summary>A trained model and how it did.</summary>
public sealed record TrainingOutcome(TestMetrics Test, int BestIteration, int Iterations, string ModelText, TimeSpan Elapsed, string MetricName);

/// <summary>
/// Trains LightGBM through its C API, one iteration at a time, reporting train and validation metrics after every
/// iteration; stops early on the validation loss and within one iteration of cancellation.
/// </summary>
public static class LightGbmTrainer
{
    private static readonly object NativeLock = new(); // lib_lightgbm's global state: one booster built at a time is plenty for 2 cores

    /// <summary>The curve's metric for a task: what the per-iteration log can report cheaply and the card usually asks.</summary>
    public static string CurveMetric(DataCard card) => card.Task switch
    {
        MlTask.Regression => "RMSE",
        MlTask.BinaryClassification when card.PrimaryMetric.Contains("auc", StringComparison.OrdinalIgnoreCase) => "AUC",
        _ => "accuracy",
    };

    public static TrainingOutcome Train(TabularData data, TrainingParameters parameters, DataCard card, Action<IterationMetrics> onIteration, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var (xTrain, yTrain) = data.Take(data.Split.Train);
        var (xValid, yValid) = data.Take(data.Split.Valid);
        var (xTest, yTest) = data.Take(data.Split.Test);
        if (data.Split.Train.Length < 5 || data.Split.Valid.Length < 1 || data.Split.Test.Length < 1)
            throw new TrainingDataException("Too few rows for a train/validation/test split; at least 10 labelled rows are needed.");
        var datasetParams = $"max_bin={parameters.LightGbm.GetValueOrDefault("max_bin", "255")} verbosity=-1" +
            (data.CategoricalFeatures.Length > 0 ? $" categorical_feature={string.Join(',', data.CategoricalFeatures)}" : "");
        var metric = CurveMetric(card);

        IntPtr train = 0, valid = 0, booster = 0;
        try
        {
            lock (NativeLock)
            {
                LightGbmNative.Check(LightGbmNative.LGBM_DatasetCreateFromMat(xTrain, LightGbmNative.Float32, yTrain.Length, data.Columns, 1, datasetParams, 0, out train));
                LightGbmNative.Check(LightGbmNative.LGBM_DatasetSetField(train, "label", yTrain, yTrain.Length, LightGbmNative.Float32));
                LightGbmNative.Check(LightGbmNative.LGBM_DatasetCreateFromMat(xValid, LightGbmNative.Float32, yValid.Length, data.Columns, 1, datasetParams, train, out valid));
                LightGbmNative.Check(LightGbmNative.LGBM_DatasetSetField(valid, "label", yValid, yValid.Length, LightGbmNative.Float32));
                LightGbmNative.Check(LightGbmNative.LGBM_BoosterCreate(train, parameters.ToNativeString(), out booster));
                LightGbmNative.Check(LightGbmNative.LGBM_BoosterAddValidData(booster, valid));
            }
            LightGbmNative.Check(LightGbmNative.LGBM_BoosterGetEvalCounts(booster, out var evalCount));
            var trainEval = new double[evalCount];
            var validEval = new double[evalCount];
            var best = (Iteration: 0, Loss: double.MaxValue);
            var iteration = 0;
            for (; iteration < parameters.Iterations; iteration++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                LightGbmNative.Check(LightGbmNative.LGBM_BoosterUpdateOneIter(booster, out var finished));
                LightGbmNative.Check(LightGbmNative.LGBM_BoosterGetEval(booster, 0, out _, trainEval));
                LightGbmNative.Check(LightGbmNative.LGBM_BoosterGetEval(booster, 1, out _, validEval));
                // Metric order as configured: binary logloss,auc,error; multiclass logloss,error; regression rmse,l1.
                var validMetric = card.Task switch
                {
                    MlTask.Regression => validEval[0],
                    MlTask.BinaryClassification => metric == "AUC" ? validEval[1] : 1 - validEval[2],
                    _ => 1 - validEval[1],
                };
                onIteration(new IterationMetrics(iteration + 1, trainEval[0], validEval[0], validMetric));
                if (validEval[0] < best.Loss - 1e-12) best = (iteration + 1, validEval[0]);
                if (finished != 0) { iteration++; break; }
                if (parameters.EarlyStoppingRounds > 0 && iteration + 1 - best.Iteration >= parameters.EarlyStoppingRounds) { iteration++; break; }
            }
            var bestIteration = best.Iteration == 0 ? iteration : best.Iteration;
            var predictions = Predict(booster, xTest, yTest.Length, data.Columns, bestIteration, card.Task == MlTask.MulticlassClassification ? data.Classes.Length : 1);
            var test = TestMetrics.Compute(card.Task, yTest, predictions, data.Classes.Length);
            var model = LightGbmNative.SaveModel(booster, bestIteration);
            return new TrainingOutcome(test, bestIteration, iteration, model, watch.Elapsed, metric);
        }
        finally
        {
            if (booster != 0) LightGbmNative.LGBM_BoosterFree(booster);
            if (valid != 0) LightGbmNative.LGBM_DatasetFree(valid);
            if (train != 0) LightGbmNative.LGBM_DatasetFree(train);
        }
    }

    private static double[] Predict(IntPtr booster, float[] x, int rows, int columns, int iterations, int outputsPerRow)
    {
        var result = new double[rows * outputsPerRow];
        LightGbmNative.Check(LightGbmNative.LGBM_BoosterPredictForMat(booster, x, LightGbmNative.Float32, rows, columns, 1, 0, 0, iterations, "", out _, result));
        return result;
    }

    /// <summary>One log line in LightGBM's own style.</summary>
    public static string LogLine(IterationMetrics m, DataCard card, string metric) =>
        card.Task switch
        {
            MlTask.Regression => string.Create(CultureInfo.InvariantCulture, $"[{m.Iteration}]\ttraining's rmse: {m.TrainLoss:0.000000}\tvalid_1's rmse: {m.ValidLoss:0.000000}"),
            MlTask.BinaryClassification => string.Create(CultureInfo.InvariantCulture, $"[{m.Iteration}]\ttraining's binary_logloss: {m.TrainLoss:0.000000}\tvalid_1's binary_logloss: {m.ValidLoss:0.000000}\tvalid_1's {metric.ToLowerInvariant()}: {m.ValidMetric:0.000000}"),
            _ => string.Create(CultureInfo.InvariantCulture, $"[{m.Iteration}]\ttraining's multi_logloss: {m.TrainLoss:0.000000}\tvalid_1's multi_logloss: {m.ValidLoss:0.000000}\tvalid_1's accuracy: {m.ValidMetric:0.000000}"),
        };
}
