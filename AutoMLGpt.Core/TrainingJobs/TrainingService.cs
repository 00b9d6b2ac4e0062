using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Knowledge.Portfolio;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.Training;

namespace AutoMLGpt.Core.TrainingJobs;

/// <summary>
/// What the pages (and the API) ask of training: queue a job after checking what can be checked before training, preview
/// a race, cancel, and read or follow a job. Jobs run in <see cref="TrainingQueue"/> (this process, a child worker or
/// another worker); the steps of one job are <see cref="TrainingJobRunner"/>'s.
/// </summary>
public sealed class TrainingService(
    TrainingJobStore jobs, ExperimentStore experiments, DataFolders folders, TrainingOptions options, LiveTrainingJobs live, TrainingQueue queue,
    TrainingExperience experience, TimeProvider clock, Knowledge.IPortfolioKnowledge? knowledge = null)
{
    /// <summary>The race's candidates and its estimated time, shown before it starts.</summary>
    public sealed record RacePreview(IReadOnlyList<RaceEntry> Candidates, double? EstimatedSeconds);

    /// <summary>
    /// Queues a run of the experiment's recommended hyperparameters (stage C of the revision shown) on its uploaded data.
    /// Problems that can be seen before training (no data, not tabular, bad labels) are refused here, with nothing saved.
    /// </summary>
    public async Task<Guid> EnqueueAsync(Guid experimentId, int? revision = null, Guid? retryOf = null, string mode = TrainingModes.Recommended,
        CancellationToken ct = default)
    {
        if (!TrainingModes.IsKnown(mode)) throw new TrainingDataException($"Unknown training mode \"{mode}\".");
        var experiment = await experiments.GetAsync(experimentId, revision, cancellationToken: ct) ?? throw new TrainingDataException("This experiment no longer exists.");
        if (experiment.Cards.Data.Modality != DataModality.Tabular) throw new TrainingDataException("Real training is for tabular data; this data card is not tabular.");
        if (experiment.DatasetFile is not { } file) throw new TrainingDataException("This experiment has no uploaded CSV; upload the data on the new-experiment page and run it from there.");
        if (!File.Exists(folders.DatasetPath(file))) throw new TrainingDataException("The uploaded file of this experiment is gone from the data folder; upload it again.");
        if (mode == TrainingModes.Recommended && experiment.Stage(StageKind.Hyperparameters) is not { Status: RunStatus.Succeeded, Output.Hyperparameters: { Count: > 0 } })
            throw new TrainingDataException("Stage C has no hyperparameter table in this revision; run or retry the pipeline first.");
        if (mode == TrainingModes.Race && knowledge?.Portfolio is null)
            throw new TrainingDataException("Racing needs the results matrix, which this build does not have; use Train for real.");
        var metric = LightGbmTrainer.CurveMetric(experiment.Cards.Data);
        var predicted = experiment.Stage(StageKind.TrainingLog)?.Output.Curve is { } curve && string.Equals(curve.Metric, metric, StringComparison.OrdinalIgnoreCase) ? curve.Final : (double?)null;
        var id = await jobs.CreateAsync(experimentId, experiment.Revision, file, metric, predicted, retryOf, ct, mode);
        live.Track(id);
        queue.Wake(id);
        return id;
    }

    /// <summary>What "Race the portfolio" would train for this card, and about how long it takes; null without a results matrix.</summary>
    public RacePreview? PreviewRace(DataCard card)
    {
        if (knowledge?.Portfolio is not { } portfolio || card.Modality != DataModality.Tabular || !card.IsClassification && card.Task != MlTask.Regression) return null;
        var choice = portfolio.ChooseZeroShot(card);
        var plan = portfolio.PlanRace(card, choice);
        var rows = (long)Math.Round((card.Samples ?? 10_000) * 0.7);
        var features = card.Features ?? Math.Max(1, card.NumericColumnList.Count + card.CategoricalColumnList.Count);
        var seconds = portfolio.EstimateRaceSeconds(plan, rows, features, portfolio.Options.RaceStrategy, portfolio.Options.FirstRung) / Math.Max(1, Math.Min(options.Threads, Environment.ProcessorCount) * 0.7);
        return new RacePreview(plan, double.IsFinite(seconds) ? Math.Max(1, seconds) : null);
    }

    /// <summary>Cancels a queued or running job; a running one stops within one boosting iteration, wherever it runs.</summary>
    public async Task CancelAsync(Guid jobId)
    {
        if (await live.TryCancelRunningAsync(jobId)) return;
        var job = await jobs.FindAsync(jobId);
        if (job is { Status: RunStatus.Running })
        {
            await jobs.RequestCancelAsync(jobId); // another process runs it: it stops at its next checkpoint
            return;
        }
        if (job is { Status: RunStatus.Queued })
        {
            if (live.TryGet(jobId, out var queued)) { queued.Status = RunStatus.Cancelled; queued.Alive?.Dispose(); }
            await jobs.UpdateAsync(jobId, j => { j.Status = RunStatus.Cancelled; j.CompletedUtc = clock.GetUtcNow().UtcDateTime; j.Error = "Cancelled before it started."; });
            if (live.TryGet(jobId, out var cancelled)) cancelled.Touch();
        }
    }

    /// <summary>The job as the page should show it: the live state while it runs here, else the saved one.</summary>
    public Task<TrainingJobView?> GetAsync(Guid jobId, CancellationToken ct = default) => live.GetAsync(jobId, ct);

    /// <inheritdoc cref="LiveTrainingJobs.FollowAsync"/>
    public IAsyncEnumerable<TrainingJobView> FollowAsync(Guid jobId, TimeSpan? interval = null, CancellationToken cancellationToken = default) =>
        live.FollowAsync(jobId, interval, cancellationToken);

    /// <inheritdoc cref="TrainingExperience.LearnFinishedRunsAsync"/>
    public Task<int> LearnFinishedRunsAsync(CancellationToken ct) => experience.LearnFinishedRunsAsync(ct);

    /// <inheritdoc cref="TrainingExperience.ExperiencesAsync"/>
    public Task<IReadOnlyList<Knowledge.ExperienceRecord>> ExperiencesAsync(CancellationToken ct) => experience.ExperiencesAsync(ct);
}
