using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Knowledge.Portfolio;
using AutoMLGpt.Core.Training;

namespace AutoMLGpt.Core.TrainingJobs;

/// <summary>A CSV read for training: the table (for its profile) and the matrix with its split.</summary>
public sealed record LoadedTable(CsvTable Table, TabularData Data);

/// <summary>
/// What a training job asks of the training engine: read the data, probe, train, race and train the baseline. The job
/// runner is the orchestration around these calls (log, checkpoints, cancel, saving), so its tests can use a fake.
/// Every call blocks (native code): the runner calls them off the request threads.
/// </summary>
public interface ITabularTrainer
{
    LoadedTable Load(string path, DataCard card);

    /// <summary>A learning-curve probe: the configuration on growing shares of the training rows.</summary>
    ProbeCurve Probe(TabularData data, TrainingParameters parameters, string metric, CancellationToken cancellationToken);

    /// <summary>One LightGBM run, reporting every iteration, from a checkpoint when one is given.</summary>
    TrainingOutcome Train(TabularData data, TrainingParameters parameters, DataCard card, Action<IterationMetrics> onIteration, TrainingCheckpoint? resumeFrom, ModelCheckpoints? checkpoints, CancellationToken cancellationToken);

    /// <summary>The portfolio's candidates on one split, binned once; the best on validation wins.</summary>
    RaceOutcome Race(TabularData data, IReadOnlyList<RaceEntry> plan, DataCard card, int threads, Action<string, IterationMetrics> onIteration, Action<string> log, string strategy, int firstRung, TimeSpan budget, RaceCheckpoint? resumeFrom, (TimeSpan Every, Action<RaceCheckpoint> Save) checkpoints, CancellationToken cancellationToken);

    /// <summary>The ML.NET FastTree reference beside LightGBM, on the same split.</summary>
    (TestMetrics Test, TimeSpan Elapsed, string Trainer) Baseline(TabularData data, DataCard card, CancellationToken cancellationToken);
}

/// <summary>The real engine: the CSV reader, LightGBM through its C API, the portfolio race and ML.NET's FastTree.</summary>
public sealed class LightGbmTabularTrainer : ITabularTrainer
{
    public LoadedTable Load(string path, DataCard card)
    {
        var table = CsvReader.Read(path);
        return new LoadedTable(table, TabularData.Build(table, card));
    }

    public ProbeCurve Probe(TabularData data, TrainingParameters parameters, string metric, CancellationToken cancellationToken) =>
        LearningCurveProbe.Run(data, parameters, metric, cancellationToken);

    public TrainingOutcome Train(TabularData data, TrainingParameters parameters, DataCard card, Action<IterationMetrics> onIteration,
        TrainingCheckpoint? resumeFrom, ModelCheckpoints? checkpoints, CancellationToken cancellationToken) =>
        LightGbmTrainer.Train(data, parameters, card, onIteration, cancellationToken, resumeFrom, checkpoints);

    public RaceOutcome Race(TabularData data, IReadOnlyList<RaceEntry> plan, DataCard card, int threads, Action<string, IterationMetrics> onIteration, Action<string> log,
        string strategy, int firstRung, TimeSpan budget, RaceCheckpoint? resumeFrom, (TimeSpan Every, Action<RaceCheckpoint> Save) checkpoints, CancellationToken cancellationToken)
    {
        using var split = LightGbmSplit.Create(data);
        return PortfolioRace.Run(split, plan, card.Task, card.PrimaryMetric, threads, onIteration, log, cancellationToken, strategy, firstRung, budget,
            resumeFrom: resumeFrom, checkpoints: checkpoints);
    }

    public (TestMetrics Test, TimeSpan Elapsed, string Trainer) Baseline(TabularData data, DataCard card, CancellationToken cancellationToken) =>
        MlNetBaseline.Train(data, card, cancellationToken: cancellationToken);
}
