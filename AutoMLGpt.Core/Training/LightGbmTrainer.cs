using System.Diagnostics;
using System.Globalization;
using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.Training;

/// <summary>One boosting iteration: training and validation loss, and the validation value of the card's metric. The training loss is NaN on iterations where it was not evaluated.</summary>
public sealed record IterationMetrics(int Iteration, double TrainLoss, double ValidLoss, double ValidMetric)
{
    /// <summary>In a race, the candidate this point belongs to.</summary>
    public string? Candidate { get; init; }
}

/// <summary>A training run's state at a checkpoint: the model so far (LightGBM text) and early stopping's bookkeeping.</summary>
public sealed record TrainingCheckpoint(string Model, int Iteration, int BestIteration, double BestLoss, double BestValidMetric)
{
    /// <summary>The run had ended (early stop, its cap): a resumed one trains no further.</summary>
    public bool Finished { get; init; }
}

/// <summary>How often a run hands its model so far to <see cref="Save"/> (which must be quick: it runs between iterations).</summary>
public sealed record ModelCheckpoints(TimeSpan Every, Action<TrainingCheckpoint> Save);

/// <summary>A trained model and how it did.</summary>
public sealed record TrainingOutcome(TestMetrics Test, int BestIteration, int Iterations, string ModelText, TimeSpan Elapsed, string MetricName)
{
    /// <summary>The validation value of the curve's metric at the best iteration.</summary>
    public double BestValidMetric { get; init; } = double.NaN;
}

/// <summary>Row-major features and labels of a train/validation/test split, before LightGBM bins them.</summary>
public sealed record SplitArrays(float[] XTrain, float[] YTrain, float[] XValid, float[] YValid, float[] XTest, float[] YTest, int Columns, int Classes, MlTask Task, int[] CategoricalFeatures);

/// <summary>
/// The train and validation sets binned once by LightGBM, plus the test rows, so several boosters can train on the same
/// split (the results matrix and the portfolio race train up to ~100 configurations per split). Not thread-safe: one
/// booster at a time per instance.
/// </summary>
public sealed class LightGbmSplit : IDisposable
{
    internal DatasetHandle Train { get; private set; } = new();
    internal DatasetHandle Valid { get; private set; } = new();
    /// <summary>The train and validation features as given to LightGBM (kept to score a checkpoint's model on resume).</summary>
    internal float[] XTrain { get; private set; } = [];
    internal float[] XValid { get; private set; } = [];
    /// <summary>The training and validation labels (an ensemble is selected on them; a bagged one refits on both).</summary>
    public float[] YTrain { get; private set; } = [];
    public float[] YValid { get; private set; } = [];
    public int[] CategoricalFeatures { get; private set; } = [];
    public float[] XTest { get; }
    public float[] YTest { get; }
    public int Columns { get; }
    public int TrainRows { get; }
    public int ValidRows { get; }
    public int Classes { get; }
    public MlTask Task { get; }
    public string MaxBin { get; }

    private LightGbmSplit(float[] xTest, float[] yTest, int columns, int trainRows, int validRows, int classes, MlTask task, string maxBin) =>
        (XTest, YTest, Columns, TrainRows, ValidRows, Classes, Task, MaxBin) = (xTest, yTest, columns, trainRows, validRows, classes, task, maxBin);

    /// <param name="trainRows">The rows to train on; the data's own training rows when null (a subsample for a learning-curve probe).</param>
    public static LightGbmSplit Create(TabularData data, string maxBin = "255", int[]? trainRows = null)
    {
        var fit = trainRows ?? data.Split.Train;
        if (fit.Length < 5 || data.Split.Valid.Length < 1 || data.Split.Test.Length < 1)
            throw new TrainingDataException("Too few rows for a train/validation/test split; at least 10 labelled rows are needed.");
        var (xTrain, yTrain) = data.Take(fit);
        var (xValid, yValid) = data.Take(data.Split.Valid);
        var (xTest, yTest) = data.Take(data.Split.Test);
        return FromArrays(new SplitArrays(xTrain, yTrain, xValid, yValid, xTest, yTest, data.Columns, data.Classes.Length, data.Task, data.CategoricalFeatures), maxBin);
    }

    /// <summary>
    /// A split from matrices already taken: a distributed run's process gets its shard of training rows and the full
    /// validation set. <paramref name="extraDatasetParameters"/> carries what a distributed dataset needs (num_machines…):
    /// with the network joined, LightGBM finds each feature's bins on one machine and shares them.
    /// </summary>
    public static LightGbmSplit FromArrays(SplitArrays arrays, string maxBin = "255", string extraDatasetParameters = "")
    {
        // feature_pre_filter=false: the same binned data must serve boosters with any min_data_in_leaf.
        var datasetParams = $"max_bin={maxBin} verbosity=-1 feature_pre_filter=false" +
            (arrays.CategoricalFeatures.Length > 0 ? $" categorical_feature={string.Join(',', arrays.CategoricalFeatures)}" : "") +
            (extraDatasetParameters.Length > 0 ? " " + extraDatasetParameters : "");
        var (columns, trainRows, validRows) = (arrays.Columns, arrays.YTrain.Length, arrays.YValid.Length);
        var split = new LightGbmSplit(arrays.XTest, arrays.YTest, columns, trainRows, validRows, arrays.Classes, arrays.Task, maxBin) { XTrain = arrays.XTrain, XValid = arrays.XValid, YTrain = arrays.YTrain, YValid = arrays.YValid, CategoricalFeatures = arrays.CategoricalFeatures };
        try
        {
            lock (LightGbmTrainer.NativeLock)
            {
                split.Train = LightGbmNative.CreateDataset(arrays.XTrain, trainRows, columns, datasetParams, reference: null);
                LightGbmNative.Check(LightGbmNative.LGBM_DatasetSetField(split.Train, "label", arrays.YTrain, trainRows, LightGbmNative.Float32));
                split.Valid = LightGbmNative.CreateDataset(arrays.XValid, validRows, columns, datasetParams, reference: split.Train);
                LightGbmNative.Check(LightGbmNative.LGBM_DatasetSetField(split.Valid, "label", arrays.YValid, validRows, LightGbmNative.Float32));
            }
            return split;
        }
        catch
        {
            split.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Valid.Dispose();
        Train.Dispose();
    }
}

/// <summary>
/// One booster on a binned split, advanced a number of iterations at a time: the unit both a plain training run and a
/// successive-halving race are made of. Tracks the best iteration by validation loss and stops early on it.
/// </summary>
public sealed class LightGbmRun : IDisposable
{
    private readonly LightGbmSplit _split;
    private readonly TrainingParameters _parameters;
    private readonly MlTask _task;
    private readonly string _metric;
    private readonly int _trainMetricEvery;
    private readonly double[] _trainEval;
    private readonly double[] _validEval;
    private readonly Stopwatch _watch = new();
    private readonly BoosterHandle _booster;
    private double _bestLoss = double.MaxValue;

    /// <param name="resumeFrom">
    /// A checkpoint of this configuration on this split: its trees score the train and validation rows (init scores, so
    /// the new trees learn what is left), are put in front of the new booster's (LightGBM's own way to continue from an
    /// init model), and iteration numbering and early stopping go on from it.
    /// </param>
    public LightGbmRun(LightGbmSplit split, TrainingParameters parameters, MlTask task, string primaryMetric, int trainMetricEvery = 1, TrainingCheckpoint? resumeFrom = null)
    {
        (_split, _parameters, _task, _trainMetricEvery) = (split, parameters, task, trainMetricEvery);
        _metric = LightGbmTrainer.CurveMetric(task, primaryMetric);
        _booster = NewBooster(split, EvaluatedOnly(parameters, task, _metric), task, resumeFrom);
        if (resumeFrom is not null)
        {
            (Iteration, BestIteration, _bestLoss, BestValidMetric, Finished) = (resumeFrom.Iteration, resumeFrom.BestIteration, resumeFrom.BestLoss, resumeFrom.BestValidMetric, resumeFrom.Finished);
            ResumedFrom = resumeFrom.Iteration;
        }
        try
        {
            LightGbmNative.Check(LightGbmNative.LGBM_BoosterGetEvalCounts(_booster, out var evalCount));
            _trainEval = new double[evalCount];
            _validEval = new double[evalCount];
        }
        catch
        {
            _booster.Dispose(); // a constructor that throws is never disposed by its caller
            throw;
        }
    }

    // A booster with the split's validation set. From a checkpoint, its trees score the split first (init scores, so the
    // new trees learn what is left) and are merged in front; the init scores are cleared whatever happens, so the next
    // booster on a shared split (a race's) starts clean.
    private static BoosterHandle NewBooster(LightGbmSplit split, string parameters, MlTask task, TrainingCheckpoint? resumeFrom)
    {
        using var previous = resumeFrom is null ? null : LightGbmNative.LoadBooster(resumeFrom.Model);
        try
        {
            if (previous is not null)
            {
                var outputs = task == MlTask.MulticlassClassification ? split.Classes : 1;
                LightGbmNative.Check(LightGbmNative.LGBM_DatasetSetFieldDouble(split.Train, "init_score", InitScores(previous, split.XTrain, split.TrainRows, split.Columns, outputs), split.TrainRows * outputs, LightGbmNative.Float64));
                LightGbmNative.Check(LightGbmNative.LGBM_DatasetSetFieldDouble(split.Valid, "init_score", InitScores(previous, split.XValid, split.ValidRows, split.Columns, outputs), split.ValidRows * outputs, LightGbmNative.Float64));
            }
            var booster = LightGbmNative.CreateBooster(split.Train, parameters);
            try
            {
                if (previous is not null) LightGbmNative.Check(LightGbmNative.LGBM_BoosterMerge(booster, previous));
                LightGbmNative.Check(LightGbmNative.LGBM_BoosterAddValidData(booster, split.Valid)); // copies the valid set's init scores
                return booster;
            }
            catch
            {
                booster.Dispose();
                throw;
            }
        }
        finally
        {
            if (previous is not null)
            {
                LightGbmNative.LGBM_DatasetSetFieldDouble(split.Train, "init_score", [], 0, LightGbmNative.Float64);
                LightGbmNative.LGBM_DatasetSetFieldDouble(split.Valid, "init_score", [], 0, LightGbmNative.Float64);
            }
        }
    }

    /// <summary>
    /// The parameters with only the metrics this run reads: the loss (early stopping, the log) and the curve's metric. A
    /// binary AUC sorts every validation row each iteration; on 150,000 rows that alone was a large share of an iteration
    /// when the curve showed accuracy. Which metrics are evaluated does not change the trees.
    /// </summary>
    private static string EvaluatedOnly(TrainingParameters parameters, MlTask task, string curveMetric)
    {
        var values = new Dictionary<string, string>(parameters.LightGbm)
        {
            ["metric"] = task switch
            {
                MlTask.Regression => "rmse",
                MlTask.BinaryClassification => curveMetric == "AUC" ? "binary_logloss,auc" : "binary_logloss,binary_error",
                _ => "multi_logloss,multi_error",
            },
        };
        return string.Join(' ', values.Select(kv => $"{kv.Key}={kv.Value}"));
    }

    /// <summary>The checkpoint's iteration this run continued from, if it did.</summary>
    public int? ResumedFrom { get; }

    /// <summary>The model so far and the early-stopping state: enough to continue on another process (call between iterations).</summary>
    public TrainingCheckpoint Checkpoint() => new(LightGbmNative.SaveModel(_booster, Iteration), Iteration, BestIteration, _bestLoss, BestValidMetric) { Finished = Finished };

    // Raw scores of the checkpoint's trees, laid out as LightGBM wants init scores: class by class for multiclass.
    private static double[] InitScores(BoosterHandle booster, float[] x, int rows, int columns, int outputs)
    {
        var raw = new double[rows * outputs];
        LightGbmNative.Check(LightGbmNative.LGBM_BoosterPredictForMat(booster, x, LightGbmNative.Float32, rows, columns, 1, 1, 0, -1, "", out _, raw));
        if (outputs == 1) return raw;
        var byClass = new double[raw.Length];
        for (var r = 0; r < rows; r++)
            for (var k = 0; k < outputs; k++) byClass[k * rows + r] = raw[r * outputs + k];
        return byClass;
    }

    public int Iteration { get; private set; }
    public int BestIteration { get; private set; }
    /// <summary>The curve metric on validation at the best iteration (NaN before the first).</summary>
    public double BestValidMetric { get; private set; } = double.NaN;
    /// <summary>Early-stopped, at its iteration cap, or LightGBM has nothing left to split.</summary>
    public bool Finished { get; private set; }
    public TimeSpan Elapsed => _watch.Elapsed;
    public string MetricName => _metric;

    private TimeSpan _lastCheckpoint;

    /// <summary>Trains until <paramref name="untilIteration"/> (capped by the parameters) or an early stop.</summary>
    /// <param name="checkpoints">Takes the model so far every so often (training time), after an iteration's report.</param>
    public void Advance(int untilIteration, Action<IterationMetrics>? onIteration, CancellationToken cancellationToken, ModelCheckpoints? checkpoints = null)
    {
        _watch.Start();
        try
        {
            var until = Math.Min(untilIteration, _parameters.Iterations);
            while (!Finished && Iteration < until)
            {
                cancellationToken.ThrowIfCancellationRequested();
                LightGbmNative.Check(LightGbmNative.LGBM_BoosterUpdateOneIter(_booster, out var finished));
                Iteration++;
                var trainLoss = double.NaN;
                if (_trainMetricEvery > 0 && (Iteration % _trainMetricEvery == 0 || Iteration == 1))
                {
                    LightGbmNative.Check(LightGbmNative.LGBM_BoosterGetEval(_booster, 0, out _, _trainEval));
                    trainLoss = _trainEval[0];
                }
                LightGbmNative.Check(LightGbmNative.LGBM_BoosterGetEval(_booster, 1, out _, _validEval));
                // Metric order as configured: binary logloss,auc,error; multiclass logloss,error; regression rmse,l1.
                var validMetric = _task switch
                {
                    MlTask.Regression => _validEval[0],
                    MlTask.BinaryClassification => _metric == "AUC" ? _validEval[1] : 1 - _validEval[1],
                    _ => 1 - _validEval[1],
                };
                onIteration?.Invoke(new IterationMetrics(Iteration, trainLoss, _validEval[0], validMetric));
                if (_validEval[0] < _bestLoss - 1e-12) { _bestLoss = _validEval[0]; BestIteration = Iteration; BestValidMetric = validMetric; }
                if (finished != 0
                    || (_parameters.EarlyStoppingRounds > 0 && Iteration - BestIteration >= _parameters.EarlyStoppingRounds)
                    || Iteration >= _parameters.Iterations) Finished = true;
                if (checkpoints is not null && _watch.Elapsed - _lastCheckpoint >= checkpoints.Every)
                {
                    _lastCheckpoint = _watch.Elapsed;
                    checkpoints.Save(Checkpoint());
                }
            }
        }
        finally { _watch.Stop(); }
    }

    /// <summary>The iteration the model is kept at: the best on validation, or the last before any was best.</summary>
    public int KeptIteration => BestIteration == 0 ? Iteration : BestIteration;

    /// <summary>The model up to its best iteration, without scoring the test rows.</summary>
    public string BestModel() => LightGbmNative.SaveModel(_booster, KeptIteration);

    /// <summary>The validation and test predictions of the model at its kept iteration (probabilities, or values): what an ensemble is selected on and scored with.</summary>
    public (double[] Valid, double[] Test) Predictions()
    {
        var outputs = _task == MlTask.MulticlassClassification ? _split.Classes : 1;
        return (LightGbmTrainer.Predict(_booster, _split.XValid, _split.ValidRows, _split.Columns, KeptIteration, outputs),
            LightGbmTrainer.PredictTest(_booster, _split, KeptIteration));
    }

    /// <summary>Test metrics of the model at its best iteration, and the model itself.</summary>
    public TrainingOutcome Outcome(bool saveModel = true)
    {
        var best = KeptIteration;
        var test = TestMetrics.Compute(_task, _split.YTest, LightGbmTrainer.PredictTest(_booster, _split, best), _split.Classes);
        var model = saveModel ? LightGbmNative.SaveModel(_booster, best) : "";
        return new TrainingOutcome(test, best, Iteration, model, Elapsed, _metric) { BestValidMetric = BestValidMetric };
    }

    public void Dispose() => _booster.Dispose();
}

/// <summary>
/// Trains LightGBM through its C API, one iteration at a time, reporting train and validation metrics after every
/// iteration; stops early on the validation loss and within one iteration of cancellation.
/// </summary>
public static class LightGbmTrainer
{
    internal static readonly object NativeLock = new(); // dataset construction: one at a time is plenty for 2 cores

    /// <summary>The curve's metric for a task: what the per-iteration log can report cheaply and the card usually asks.</summary>
    public static string CurveMetric(DataCard card) => CurveMetric(card.Task, card.PrimaryMetric);

    public static string CurveMetric(MlTask task, string primaryMetric) => task switch
    {
        MlTask.Regression => "RMSE",
        MlTask.BinaryClassification when primaryMetric.Contains("auc", StringComparison.OrdinalIgnoreCase) => "AUC",
        _ => "accuracy",
    };

    /// <summary>
    /// How often the training loss is evaluated: every iteration up to 100,000 training rows, every 10th above. The
    /// training metric over every row costs about as much as the validation one scaled by rows (an AUC sorts them all);
    /// only the log shows it, while early stopping and the curve use validation, which is evaluated every iteration.
    /// </summary>
    public static int TrainMetricEvery(int trainRows) => trainRows <= 100_000 ? 1 : 10;

    /// <param name="resumeFrom">A checkpoint of this configuration on this data to continue from (see <see cref="LightGbmRun"/>).</param>
    /// <param name="checkpoints">Takes the model so far every so often, between iterations, on the training thread.</param>
    public static TrainingOutcome Train(TabularData data, TrainingParameters parameters, DataCard card, Action<IterationMetrics> onIteration, CancellationToken cancellationToken,
        TrainingCheckpoint? resumeFrom = null, ModelCheckpoints? checkpoints = null)
    {
        var watch = Stopwatch.StartNew();
        using var split = LightGbmSplit.Create(data, parameters.LightGbm.GetValueOrDefault("max_bin", "255"));
        using var run = new LightGbmRun(split, parameters, card.Task, card.PrimaryMetric, TrainMetricEvery(data.Split.Train.Length), resumeFrom);
        run.Advance(parameters.Iterations, onIteration, cancellationToken, checkpoints);
        return run.Outcome() with { Elapsed = watch.Elapsed };
    }

    /// <param name="trainMetricEvery">Evaluate the training loss every this many iterations (0: never). On large tables
    /// the training metric over every row costs as much as an iteration, and only the log shows it.</param>
    public static TrainingOutcome Train(LightGbmSplit split, TrainingParameters parameters, MlTask task, string primaryMetric, Action<IterationMetrics>? onIteration, CancellationToken cancellationToken, int trainMetricEvery = 1, bool saveModel = true)
    {
        using var run = new LightGbmRun(split, parameters, task, primaryMetric, trainMetricEvery);
        run.Advance(parameters.Iterations, onIteration, cancellationToken);
        return run.Outcome(saveModel);
    }

    internal static double[] PredictTest(BoosterHandle booster, LightGbmSplit split, int iterations) =>
        Predict(booster, split.XTest, split.YTest.Length, split.Columns, iterations, split.Task == MlTask.MulticlassClassification ? split.Classes : 1);

    internal static double[] Predict(BoosterHandle booster, float[] x, int rows, int columns, int iterations, int outputsPerRow)
    {
        var result = new double[rows * outputsPerRow];
        LightGbmNative.Check(LightGbmNative.LGBM_BoosterPredictForMat(booster, x, LightGbmNative.Float32, rows, columns, 1, 0, 0, iterations, "", out _, result));
        return result;
    }

    /// <summary>One log line in LightGBM's own style.</summary>
    public static string LogLine(IterationMetrics m, DataCard card, string metric)
    {
        var train = double.IsNaN(m.TrainLoss) ? "" : card.Task switch
        {
            MlTask.Regression => string.Create(CultureInfo.InvariantCulture, $"\ttraining's rmse: {m.TrainLoss:0.000000}"),
            MlTask.BinaryClassification => string.Create(CultureInfo.InvariantCulture, $"\ttraining's binary_logloss: {m.TrainLoss:0.000000}"),
            _ => string.Create(CultureInfo.InvariantCulture, $"\ttraining's multi_logloss: {m.TrainLoss:0.000000}"),
        };
        return card.Task switch
        {
            MlTask.Regression => string.Create(CultureInfo.InvariantCulture, $"[{m.Iteration}]{train}\tvalid_1's rmse: {m.ValidLoss:0.000000}"),
            MlTask.BinaryClassification => string.Create(CultureInfo.InvariantCulture, $"[{m.Iteration}]{train}\tvalid_1's binary_logloss: {m.ValidLoss:0.000000}\tvalid_1's {metric.ToLowerInvariant()}: {m.ValidMetric:0.000000}"),
            _ => string.Create(CultureInfo.InvariantCulture, $"[{m.Iteration}]{train}\tvalid_1's multi_logloss: {m.ValidLoss:0.000000}\tvalid_1's accuracy: {m.ValidMetric:0.000000}"),
        };
    }
}
