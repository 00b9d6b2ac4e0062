using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Knowledge.Portfolio;
using AutoMLGpt.Core.Training;
using AutoMLGpt.Core.TrainingJobs;

namespace AutoMLGpt.Tests.Fakes;

/// <summary>
/// The training engine without training: data is read for real (small files), a run reports a few scripted iterations
/// and scores the test rows with a constant, and the baseline can be held until it is cancelled. For tests of the job
/// runner's orchestration (log, cancel, failure, saving), which then take milliseconds instead of real boosting.
/// </summary>
public sealed class FakeTabularTrainer : ITabularTrainer
{
    private readonly LightGbmTabularTrainer _real = new();

    /// <summary>Thrown by <see cref="Train"/> when set (a native failure, say).</summary>
    public Exception? TrainFails { get; set; }

    /// <summary>The baseline waits for its cancellation instead of returning.</summary>
    public bool HoldBaseline { get; set; }

    public TaskCompletionSource BaselineStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Trained { get; private set; }

    public LoadedTable Load(string path, DataCard card) => _real.Load(path, card);

    public ProbeCurve Probe(TabularData data, TrainingParameters parameters, string metric, CancellationToken cancellationToken) =>
        new([data.Split.Train.Length / 4, data.Split.Train.Length / 2], [0.9, 0.92], data.Split.Train.Length, TimeSpan.FromMilliseconds(1));

    public TrainingOutcome Train(TabularData data, TrainingParameters parameters, DataCard card, Action<IterationMetrics> onIteration,
        TrainingCheckpoint? resumeFrom, ModelCheckpoints? checkpoints, CancellationToken cancellationToken)
    {
        if (TrainFails is { } failure) throw failure;
        for (var i = 1; i <= 5; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            onIteration(new IterationMetrics(i, 0.7 - i * 0.05, 0.72 - i * 0.04, 0.8 + i * 0.01));
        }
        Trained++;
        return new TrainingOutcome(ConstantScores(data), 5, 5, "fake model", TimeSpan.FromMilliseconds(5), LightGbmTrainer.CurveMetric(card));
    }

    // The test rows scored with one constant: the mean for regression, equal probabilities for classes.
    private static TestMetrics ConstantScores(TabularData data)
    {
        var (_, yTest) = data.Take(data.Split.Test);
        var classes = data.Task == MlTask.Regression ? 0 : data.Classes.Length;
        var outputs = data.Task == MlTask.MulticlassClassification ? classes : 1;
        var constant = data.Task == MlTask.Regression ? yTest.Average() : data.Task == MlTask.BinaryClassification ? 0.5 : 1.0 / classes;
        return TestMetrics.Compute(data.Task, yTest, Enumerable.Repeat(constant, yTest.Length * outputs).ToArray(), classes);
    }

    public RaceOutcome Race(TabularData data, IReadOnlyList<RaceEntry> plan, DataCard card, int threads, Action<string, IterationMetrics> onIteration, Action<string> log,
        string strategy, int firstRung, TimeSpan budget, RaceCheckpoint? resumeFrom, (TimeSpan Every, Action<RaceCheckpoint> Save) checkpoints, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The fake does not race; race tests train for real.");

    public (TestMetrics Test, TimeSpan Elapsed, string Trainer) Baseline(TabularData data, DataCard card, CancellationToken cancellationToken)
    {
        BaselineStarted.TrySetResult();
        if (HoldBaseline) cancellationToken.WaitHandle.WaitOne(TimeSpan.FromMinutes(2));
        cancellationToken.ThrowIfCancellationRequested();
        return (ConstantScores(data), TimeSpan.FromMilliseconds(1), "fake baseline");
    }
}
