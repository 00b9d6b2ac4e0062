using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Knowledge;
using AutoMLGpt.Core.Knowledge.Catalogue;
using AutoMLGpt.Core.Knowledge.Portfolio;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.Training;
using AutoMLGpt.Core.Training.Distributed;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AutoMLGpt.Core.TrainingJobs;

/// <summary>One claimed job as it goes through the runner's steps; the state a step leaves for the next and for the final save.</summary>
internal sealed class JobRun(Guid id, LiveTrainingJob live, CancellationToken token, CancellationToken stopping)
{
    public Guid Id { get; } = id;
    public LiveTrainingJob Live { get; } = live;
    /// <summary>Fires on Cancel (here or on another node) and when the process stops.</summary>
    public CancellationToken Token { get; } = token;
    public CancellationToken Stopping { get; } = stopping;

    public TrainingJobEntity Job { get; set; } = default!;
    public ExperimentDetails Experiment { get; set; } = default!;
    public DataCard Card => Experiment.Cards.Data;
    public TrainingCheckpoint? Resume { get; set; }
    public RaceCheckpoint? RaceResume { get; set; }
    public LoadedTable Loaded { get; set; } = default!;
    public TabularData Data => Loaded.Data;
    public string Metric { get; set; } = "";
    public TrainingParameters? Parameters { get; set; }
    public TrainingOutcome? Outcome { get; set; }
    public MetricForecast? Probe { get; set; }
    public IReadOnlyList<RaceResult> Race { get; set; } = [];
    public RaceEnsembleResult? Ensemble { get; set; }
    public TrainingResult? Result { get; set; }

    public RunStatus Status { get; set; } = RunStatus.Failed;
    public string? Error { get; set; }
    /// <summary>A child worker that ran out of memory ends after saving, and its parent starts a fresh one.</summary>
    public bool RestartProcess { get; set; }

    public bool IsRace => Job.Mode == TrainingModes.Race;
    public void Log(string line) => Live.Append(line);
}

/// <summary>
/// Runs one claimed job as explicit steps: start → load → plan → train (a run with its probe, a race, or a distributed
/// run) → baseline → finish. Cancel reaches every step, the baseline too; the log and curve are checkpointed while it
/// runs; the final state, the model and the experience are saved however it ends.
/// </summary>
public sealed class TrainingJobRunner(
    TrainingJobStore jobs, ExperimentStore experiments, DataFolders folders, TrainingOptions options, LiveTrainingJobs live, ITabularTrainer trainer,
    TrainingExperience experience, TimeProvider clock, ILogger<TrainingJobRunner> logger, IPortfolioKnowledge? knowledge = null,
    IHostApplicationLifetime? lifetime = null, DistributedTrainer? distributed = null)
{
    private int Threads => Math.Max(1, Math.Min(options.Threads, Environment.ProcessorCount));

    public async Task RunAsync(Guid id, CancellationToken stoppingToken)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        live.Running(id, cancel);
        var run = new JobRun(id, live.Track(id), cancel.Token, stoppingToken); // claimed here, perhaps queued elsewhere
        run.Live.Status = RunStatus.Running;
        using var checkpoints = new CancellationTokenSource();
        Task? checkpointLoop = null;
        try
        {
            await StartAsync(run);
            checkpointLoop = CheckpointLoopAsync(run, cancel, checkpoints.Token);
            await LoadAsync(run);
            await PlanAsync(run);
            await TrainAsync(run);
            await BaselineAsync(run);
            run.Status = RunStatus.Succeeded;
            experience.LearnFinished(id, run.Job.ExperimentId, run.Card, run.Parameters!, run.Outcome!, run.Loaded.Table, run.Race);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            run.Status = stoppingToken.IsCancellationRequested ? RunStatus.Interrupted : RunStatus.Cancelled;
            run.Error = run.Status == RunStatus.Cancelled ? "Cancelled by the user." : "The app stopped during training; the log up to then is kept.";
            run.Log(run.Error);
        }
        catch (Exception ex) when (ex is TrainingDataException or CsvFormatException or DistributedTrainingException)
        {
            run.Error = ex.Message;
            run.Log("Error: " + ex.Message);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Training job {JobId} failed", id);
            var outOfMemory = ex is OutOfMemoryException or LightGbmException { IsOutOfMemory: true };
            run.Error = outOfMemory
                ? $"Training ran out of memory ({ex.Message}). Try a smaller table, fewer threads or a higher memory limit."
                : $"Training failed: {ex.Message}";
            run.RestartProcess = outOfMemory && Environment.GetEnvironmentVariable(WorkerHost.ParentProcessVariable) is not null;
            run.Log("Error: " + ex.Message);
        }
        finally
        {
            await checkpoints.CancelAsync();
            if (checkpointLoop is not null) await checkpointLoop;
            try { await FinishAsync(run); }
            finally
            {
                live.Ended(id);
                logger.LogInformation("Training job {JobId} ended: {Status}", id, run.Status);
            }
            if (run.RestartProcess) lifetime?.StopApplication();
        }
    }

    // Marks the job running and reads what the runner before this one left (its log, curve and model checkpoint).
    private async Task StartAsync(JobRun run)
    {
        run.Job = (await jobs.FindAsync(run.Id, CancellationToken.None))!;
        await jobs.UpdateAsync(run.Id, j => { j.Status = RunStatus.Running; j.StartedUtc = j.HeartbeatUtc = clock.GetUtcNow().UtcDateTime; }, CancellationToken.None);
        var job = run.Job;
        run.Resume = job.Mode == TrainingModes.Recommended && job.CheckpointJson is { } saved
            ? System.Text.Json.JsonSerializer.Deserialize<TrainingCheckpoint>(saved, ExperimentStore.Json) : null;
        run.RaceResume = job.Mode == TrainingModes.Race && job.CheckpointJson is { } savedRace
            ? System.Text.Json.JsonSerializer.Deserialize<RaceCheckpoint>(savedRace, ExperimentStore.Json) : null;
        run.Live.HasSavedCheckpoint = job.CheckpointJson is not null;
        if (run.RaceResume is not null)
            lock (run.Live.Gate) run.Live.Log.Clear().Append(job.Log); // the curve is kept once the race's candidates are known
        if (run.Resume is { } resume)
        {
            // The runner before this one stopped: keep what it saved, and go on from its last model checkpoint.
            lock (run.Live.Gate)
            {
                run.Live.Log.Clear().Append(job.Log);
                run.Live.Curve.Clear();
                run.Live.Curve.AddRange(TrainingJobStore.ToView(job).Curve.Where(m => m.Iteration <= resume.Iteration));
            }
            run.Log($"Resumed from iteration {resume.Iteration} (the model checkpoint of the runner that stopped; the iterations after it are trained again).");
        }
    }

    private async Task LoadAsync(JobRun run)
    {
        run.Experiment = (await experiments.GetAsync(run.Job.ExperimentId, run.Job.Revision, cancellationToken: CancellationToken.None))!;
        run.Log($"Reading {run.Card.Name} ({run.Job.DatasetFile})…");
        run.Loaded = await Task.Run(() => trainer.Load(folders.DatasetPath(run.Job.DatasetFile), run.Card), CancellationToken.None);
        run.Metric = LightGbmTrainer.CurveMetric(run.Card);
    }

    // What trains: LightGBM's defaults for a race (its candidates bring their own values), stage C's table for a tree
    // ensemble, or the zero-shot configuration when stage C is another family's recipe.
    private async Task PlanAsync(JobRun run)
    {
        var (card, data) = (run.Card, run.Data);
        var (family, _) = ModelCatalogue.Resolve(run.Experiment.Cards.Model, card);
        var rows = run.Experiment.Stage(StageKind.Hyperparameters)?.Output.Hyperparameters ?? [];
        run.Parameters = run.IsRace ? TrainingParameters.From([], card, data.Classes.Length, options.Threads)
            : family.IsTreeEnsemble ? TrainingParameters.From(rows, card, data.Classes.Length, options.Threads)
            : ForNonTreeFamily(run, family);
        run.Log($"{data.Rows:N0} labelled rows, {data.Columns} features ({data.CategoricalFeatures.Length} categorical); {data.Split.Description}: " +
                $"{data.Split.Train.Length:N0} train, {data.Split.Valid.Length:N0} validation, {data.Split.Test.Length:N0} test.");
        if (run.IsRace) return;
        var parameters = run.Parameters;
        foreach (var m in parameters.Messages) run.Log("Note: " + m);
        run.Log($"LightGBM {parameters.ToNativeString()} num_iterations={parameters.Iterations} early_stopping_rounds={parameters.EarlyStoppingRounds}");
        if (LightGbmTrainer.TrainMetricEvery(data.Split.Train.Length) is > 1 and var every)
            run.Log($"The training loss is evaluated every {every} iterations ({data.Split.Train.Length:N0} training rows: over every row it costs as much as an iteration); validation, which the curve and early stopping use, every iteration.");
        await jobs.UpdateAsync(run.Id, j => j.ParametersJson = TrainingJobStore.Serialize(parameters), CancellationToken.None);
    }

    // Stage C of a neural family (an MLP's learning rate, epochs…) means nothing to LightGBM: train LightGBM's own
    // recommended configuration instead, and say so, rather than boosting 100 rounds at an MLP's learning rate.
    private TrainingParameters ForNonTreeFamily(JobRun run, ModelFamily family)
    {
        var (card, data) = (run.Card, run.Data);
        if (knowledge?.Portfolio is { } portfolio)
        {
            var choice = portfolio.ChooseZeroShot(card, trainRows: data.Split.Train.Length);
            run.Log($"Stage C is {family.DisplayName}'s recipe, not a gradient-boosting one: the real run trains LightGBM with the zero-shot configuration {choice.Candidate.Id} instead.");
            return choice.Parameters(card.Task, data.Classes.Length, options.Threads);
        }
        run.Log($"Stage C is {family.DisplayName}'s recipe, not a gradient-boosting one: the real run trains LightGBM with its defaults instead.");
        return TrainingParameters.From([], card, data.Classes.Length, options.Threads);
    }

    private ModelCheckpoints ModelCheckpointsOf(JobRun run) =>
        new(TimeSpan.FromSeconds(options.ModelCheckpointSeconds), checkpoint => run.Live.SetPendingCheckpoint(checkpoint));

    private async Task TrainAsync(JobRun run)
    {
        var (card, data, metric) = (run.Card, run.Data, run.Metric);
        if (run.IsRace) await RaceAsync(run);
        else
        {
            if (run.Resume is null) run.Probe = await ProbeAsync(run);
            var parameters = run.Parameters!;
            if (distributed?.Applies(data.Split.Train.Length) == true)
            {
                // Several processes, LightGBM's own parallel learner; process 0 checkpoints the model like a single run.
                var distributedRun = await distributed.TrainAsync(run.Id, folders.Root, data, parameters, card, options.Threads, m => run.Live.AddIteration(m, card, metric), run.Log, run.Token,
                    run.Resume, ModelCheckpointsOf(run));
                run.Outcome = distributedRun.Outcome;
                run.Log(distributedRun.ModelsIdentical
                    ? $"All {distributedRun.Models.Count} processes ended with the same model (as data-parallel training should)."
                    : $"Warning: the {distributedRun.Models.Count} processes ended with different models (voting-parallel decides splits on each process's own rows); process 0's, whose curve is shown, is kept.");
            }
            // Native calls block: run them off the request threads.
            else run.Outcome = await Task.Run(() => trainer.Train(data, parameters, card, m => run.Live.AddIteration(m, card, metric), run.Resume, ModelCheckpointsOf(run), cancellationToken: run.Token), CancellationToken.None);
        }
        var outcome = run.Outcome!;
        var real = outcome.Test.Get(metric);
        run.Log($"Best iteration {outcome.BestIteration} of {outcome.Iterations}; test {metric} {real:0.####} on {outcome.Test.Rows:N0} rows; {outcome.Elapsed.TotalSeconds:0.0} s.");
        if (run.Probe is { } probe && real is { } rf)
            run.Log($"Probe predicted {probe.Value:0.####} [{probe.Low:0.####}, {probe.High:0.####}]; the real value is {(probe.Contains(rf) ? "inside" : "outside")} the band.");
    }

    /// <summary>Predicts the final metric from a learning-curve probe of the configuration about to train.</summary>
    private async Task<MetricForecast?> ProbeAsync(JobRun run)
    {
        var (data, metric) = (run.Data, run.Metric);
        if (knowledge?.Forecaster is not { } forecaster || MetricForecaster.KindOf(metric) is null || data.Split.Train.Length < 40) return null;
        run.Log($"Probe: training on {string.Join(", ", LearningCurveProbe.Fractions.Select(f => f.ToString("P0", System.Globalization.CultureInfo.InvariantCulture)))} of the training rows to predict the final {metric}…");
        var parameters = run.Parameters!;
        var curve = await Task.Run(() => trainer.Probe(data, parameters, metric, run.Token), CancellationToken.None);
        var forecast = forecaster.FromProbe(metric, curve, data.Split.Test.Length, MinorityShare(data));
        if (forecast is not null) run.Log($"Probe prediction: test {metric} {forecast.Value:0.####}, {forecaster.Coverage:P0} band [{forecast.Low:0.####}, {forecast.High:0.####}]. Basis: {forecast.Basis}.");
        return forecast;
    }

    private static double? MinorityShare(TabularData data)
    {
        if (data.Task != MlTask.BinaryClassification) return null;
        var positives = data.Labels.Count(l => l == 1);
        return Math.Min(positives, data.Labels.Length - positives) / (double)Math.Max(1, data.Labels.Length);
    }

    /// <summary>
    /// Races the portfolio's candidates on one split, binned once (successive halving by default): every candidate's
    /// curve streams into the chart, and the best on validation is kept.
    /// </summary>
    private async Task RaceAsync(JobRun run)
    {
        var (card, data, metric) = (run.Card, run.Data, run.Metric);
        var portfolio = knowledge?.Portfolio ?? throw new TrainingDataException("Racing needs the results matrix, which this build does not have; use Train for real.");
        var choice = portfolio.ChooseZeroShot(card, trainRows: data.Split.Train.Length);
        var plan = portfolio.PlanRace(card, choice, trainRows: data.Split.Train.Length);
        var estimate = portfolio.EstimateRaceSeconds(plan, data.Split.Train.Length, data.Columns, portfolio.Options.RaceStrategy, portfolio.Options.FirstRung) / (Threads * 0.7);
        // The race stops starting candidates once it has used three times its estimate (at least 30 s): what ran is compared.
        var budget = TimeSpan.FromSeconds(Math.Max(30, double.IsFinite(estimate) ? 3 * estimate : 300));
        run.Log(portfolio.Options.RaceStrategy == PortfolioRace.Halving
            ? $"Race: {plan.Count} candidates on the same split by successive halving (the better half on validation {metric} goes on with twice the rounds, from {portfolio.Options.FirstRung}); the last one trains to its early stop. About {Math.Ceiling(estimate):0} s."
            : $"Race: {plan.Count} candidates on the same split, about {Math.Ceiling(estimate):0} s (budget {budget.TotalSeconds:0} s); each trains with early stopping on the validation loss and the best validation {metric} wins.");
        var resume = run.RaceResume;
        if (resume is not null && !resume.Fits(plan))
        {
            run.Log("The race's candidates changed since its checkpoint (the knowledge learned from other runs meanwhile): it starts again.");
            resume = null;
        }
        if (resume is not null)
        {
            var savedCurve = TrainingJobStore.ToView(run.Job).Curve;
            lock (run.Live.Gate) { run.Live.Curve.Clear(); run.Live.Curve.AddRange(savedCurve.Where(m => resume.Covers(plan, m))); }
            run.Log($"Resumed the race from its checkpoint ({resume.Alive.Length} candidate(s) still in, {resume.Runs.Count(r => r is not null)} with their models so far; the rounds after it are trained again).");
        }
        var outcome = await Task.Run(() => trainer.Race(data, plan, card, Threads, (id, m) => { lock (run.Live.Gate) run.Live.Curve.Add(m with { Candidate = id }); run.Live.Touch(); }, run.Log, portfolio.Options.RaceStrategy, portfolio.Options.FirstRung, budget, resume, (TimeSpan.FromSeconds(options.ModelCheckpointSeconds), checkpoint => run.Live.SetPendingCheckpoint(checkpoint)), cancellationToken: run.Token), CancellationToken.None);
        run.Race = outcome.Candidates.Select((r, i) => new RaceResult(r.Entry.Candidate.Id, r.Entry.Candidate.Origin, r.Entry.Reason, r.Entry.Values, r.Valid,
            r.Test, r.BestIteration, r.Seconds, i == outcome.Winner) { DroppedAtIteration = r.DroppedAtIteration }).ToList();
        run.Ensemble = outcome.Ensemble is { } e ? new RaceEnsembleResult(e.Kept, e.Bagged, e.Why, e.Weights, e.Valid, e.WinnerValid, e.Test) : null;
        run.Outcome = outcome.KeptOutcome;
        run.Parameters = outcome.Candidates[outcome.Winner].Parameters;
    }

    private async Task BaselineAsync(JobRun run)
    {
        run.Token.ThrowIfCancellationRequested();
        var (card, data, metric, outcome) = (run.Card, run.Data, run.Metric, run.Outcome!);
        run.Log("Training the ML.NET FastTree baseline on the same split…");
        var baseline = await Task.Run(() => trainer.Baseline(data, card, run.Token), CancellationToken.None);
        run.Log($"{baseline.Trainer}: test {metric} {baseline.Test.Get(metric):0.####}; {baseline.Elapsed.TotalSeconds:0.0} s.");
        run.Result = new TrainingResult(outcome.Test, outcome.BestIteration, outcome.Iterations, outcome.Elapsed.TotalSeconds, data.Split.Description, run.Parameters!.Messages, metric,
            baseline.Test, baseline.Trainer, baseline.Elapsed.TotalSeconds) { Probe = run.Probe, Race = run.Race, Ensemble = run.Ensemble };
    }

    // The job's final state in one save: its log, curve, result and model; or, stopped with its process after a model
    // checkpoint, queued again to continue from it on the next runner (this process after a restart, or another worker).
    private async Task FinishAsync(JobRun run)
    {
        var pending = run.Live.TakePendingCheckpoint();
        var requeue = run.Status == RunStatus.Interrupted && (pending is not null || run.Live.HasSavedCheckpoint);
        if (requeue) run.Log("Stopped with its process; queued again to continue from its last model checkpoint.");
        run.Live.Status = requeue ? RunStatus.Queued : run.Status;
        var (log, curve, _) = run.Live.Snapshot();
        var (status, error, parameters, result) = (run.Status, run.Error, run.Parameters, run.Result);
        var succeeded = status == RunStatus.Succeeded ? run.Outcome : null;
        var realFinal = run.Outcome?.Test.Get(run.Metric);
        await jobs.UpdateAsync(run.Id, j =>
        {
            if (parameters is not null) j.ParametersJson = TrainingJobStore.Serialize(parameters);
            j.Log = log; j.CurveJson = curve;
            j.HeartbeatUtc = clock.GetUtcNow().UtcDateTime;
            if (requeue)
            {
                (j.Status, j.ClaimedBy) = (RunStatus.Queued, null);
                if (pending is not null) j.CheckpointJson = pending;
                return;
            }
            j.Status = status; j.Error = error; j.RealFinal = realFinal;
            if (succeeded is not null) (j.ModelFile, j.Model) = ($"{j.Id:N}.txt", new TrainingModelEntity { JobId = j.Id, Text = succeeded.ModelText });
            j.ResultJson = result is null ? null : TrainingJobStore.Serialize(result);
            j.CompletedUtc = j.HeartbeatUtc;
            j.CheckpointJson = null; // the model is the result now; a checkpoint can be megabytes
        }, CancellationToken.None);
    }

    // Log and curve checkpoint every few seconds while the job runs (the heartbeat is RunHeartbeatService's, via LiveRuns).
    private async Task CheckpointLoopAsync(JobRun run, CancellationTokenSource job, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.CheckpointSeconds), clock);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var (log, curve, checkpoint) = run.Live.Snapshot(takeCheckpoint: true);
                var cancelRequested = false;
                await jobs.UpdateAsync(run.Id, j =>
                {
                    j.Log = log; j.CurveJson = curve; cancelRequested = j.CancelRequested;
                    if (checkpoint is not null) j.CheckpointJson = checkpoint;
                }, CancellationToken.None);
                if (checkpoint is not null) run.Live.HasSavedCheckpoint = true;
                if (cancelRequested) await job.CancelAsync(); // Cancel pressed on a node that does not run this job
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception ex)
        {
            // A failed checkpoint must not take the job (or the worker) down: the final save still runs.
            logger.LogError(ex, "Checkpoint of training job {JobId} failed", run.Id);
        }
    }
}
