using AutoMLGpt.Core.Training;
using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Knowledge.Portfolio;
using AutoMLGpt.Core.Knowledge.Catalogue;
using AutoMLGpt.Core.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AutoMLGpt.Core.TrainingJobs;

/// <summary>
/// Real training in the background, off the Blazor circuit: a queue with a configurable number of concurrent jobs,
/// a heartbeat and checkpointed log, Cancel within one iteration, and a live snapshot for the page to poll. Closing the
/// tab changes nothing; stopping the app marks running jobs interrupted with their log kept.
/// </summary>
public sealed class TrainingService(
    TrainingJobStore jobs, ExperimentStore experiments, DataFolders folders, TrainingOptions options, LiveRuns liveRuns,
    TimeProvider clock, ILogger<TrainingService> logger, Knowledge.IPortfolioKnowledge? knowledge = null, Knowledge.IExperienceSink? experience = null,
    Access.TeamSignInOptions? signIn = null, Microsoft.Extensions.Hosting.IHostApplicationLifetime? lifetime = null,
    Training.Distributed.DistributedTrainer? distributed = null) : BackgroundService
{
    /// <summary>
    /// The name a run enters the shared experience store under. With sign-in on, other accounts see neighbours (and
    /// stage C's "60% like …") without learning another account's dataset name: the numbers transfer, the name does not.
    /// </summary>
    private string ExperienceName(DataCard card, Guid experimentId) =>
        signIn?.Enabled == true ? $"team run {experimentId.ToString("N")[..8]} ({TaskDefaults.Display(card.Task)})" : card.Name;

    /// <summary>Wakes an idle runner when this process queues a job; the jobs themselves are claimed from the database.</summary>
    private readonly Channel<Guid> _queue = Channel.CreateUnbounded<Guid>();
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _running = new();
    private readonly ConcurrentDictionary<Guid, LiveJob> _live = new();

    /// <summary>What a running job has produced so far, kept in memory between checkpoints.</summary>
    /// <summary>The race's candidates and its estimated time, shown before it starts.</summary>
    public sealed record RacePreview(IReadOnlyList<RaceEntry> Candidates, double? EstimatedSeconds);

    private sealed class LiveJob
    {
        public readonly object Gate = new();
        public readonly StringBuilder Log = new();
        public readonly List<IterationMetrics> Curve = [];
        public RunStatus Status = RunStatus.Queued;
        /// <summary>The latest model checkpoint (a run's or a race's, as JSON) taken on the training thread, waiting for the checkpoint loop to save it.</summary>
        public string? PendingCheckpoint;
        /// <summary>The job's row holds a model checkpoint (saved by this runner or one before it).</summary>
        public bool HasSavedCheckpoint;
        /// <summary>Keeps the job's heartbeat going from the queue to its end.</summary>
        public IDisposable? Alive;
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes at the next change (a log line, an iteration, the end).</summary>
        public Task Changed => Volatile.Read(ref _changed).Task;

        public void Touch() => Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>
    /// The job as it changes: its state now, then again after each change (at most every <paramref name="interval"/>,
    /// default 250 ms), until it ends. While it runs in this process the changes are signalled; a job this process does
    /// not run (another instance) is read from the database as its checkpoints land.
    /// </summary>
    public async IAsyncEnumerable<TrainingJobView> FollowAsync(Guid jobId, TimeSpan? interval = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var every = interval ?? TimeSpan.FromMilliseconds(250);
        while (true)
        {
            var changed = _live.TryGetValue(jobId, out var live) ? live.Changed : null; // taken before reading, so no change is missed
            var view = await GetAsync(jobId, cancellationToken);
            if (view is null) yield break;
            yield return view;
            if (view.Status is not (RunStatus.Running or RunStatus.Queued)) yield break;
            var checkpoint = Task.Delay(TimeSpan.FromSeconds(options.CheckpointSeconds), clock, cancellationToken);
            if (changed is null) await checkpoint;
            else
            {
                // Signalled while this process runs it; a job queued here but claimed by another runner lands as checkpoints.
                await Task.WhenAny(changed, checkpoint).WaitAsync(cancellationToken);
                if (changed.IsCompleted) await Task.Delay(every, clock, cancellationToken); // coalesce a burst of iterations into one update
            }
        }
    }

    /// <summary>
    /// Queues a run of the experiment's recommended hyperparameters (stage C of the revision shown) on its uploaded data.
    /// Problems that can be seen before training (no data, not tabular, bad labels) are refused here, with nothing saved.
    /// </summary>
    public async Task<Guid> EnqueueAsync(Guid experimentId, int? revision = null, Guid? retryOf = null, CancellationToken ct = default, string mode = TrainingModes.Recommended)
    {
        if (!TrainingModes.IsKnown(mode)) throw new TrainingDataException($"Unknown training mode \"{mode}\".");
        var experiment = await experiments.GetAsync(experimentId, ct, revision) ?? throw new TrainingDataException("This experiment no longer exists.");
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
        _live[id] = new LiveJob { Alive = liveRuns.TrainingJob(id) };
        _queue.Writer.TryWrite(id);
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

    /// <summary>Cancels a queued or running job; a running one stops within one boosting iteration.</summary>
    public async Task CancelAsync(Guid jobId)
    {
        if (_running.TryGetValue(jobId, out var cts)) { await cts.CancelAsync(); return; }
        var job = await jobs.FindAsync(jobId);
        if (job is { Status: RunStatus.Running })
        {
            await jobs.RequestCancelAsync(jobId); // another process runs it: it stops at its next checkpoint
            return;
        }
        if (job is { Status: RunStatus.Queued })
        {
            if (_live.TryGetValue(jobId, out var live)) { live.Status = RunStatus.Cancelled; live.Alive?.Dispose(); }
            await jobs.UpdateAsync(jobId, j => { j.Status = RunStatus.Cancelled; j.CompletedUtc = clock.GetUtcNow().UtcDateTime; j.Error = "Cancelled before it started."; });
            if (_live.TryGetValue(jobId, out var cancelled)) cancelled.Touch();
        }
    }

    /// <summary>The job as the page should show it: the live state while it runs here, else the saved one.</summary>
    public async Task<TrainingJobView?> GetAsync(Guid jobId, CancellationToken ct = default)
    {
        var saved = await jobs.FindAsync(jobId, ct);
        if (saved is null) return null;
        var view = TrainingJobStore.ToView(saved);
        if (_running.ContainsKey(jobId) && _live.TryGetValue(jobId, out var live) && view.Status is RunStatus.Running or RunStatus.Queued)
            lock (live.Gate) view = view with { Log = live.Log.ToString(), Curve = live.Curve.ToList() };
        return view;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var learning = LearnLoopAsync(stoppingToken);
        if (!options.RunJobs || options.InChildProcess)
        {
            logger.LogInformation(options.InChildProcess
                ? "Training:Isolation is ChildProcess: a child worker process trains; this process queues and follows."
                : "Training:RunJobs is false: this process queues and follows training jobs; workers on the database run them.");
            await learning;
            return;
        }
        var workers = Enumerable.Range(0, Math.Max(1, options.MaxConcurrentJobs)).Select(_ => WorkAsync(stoppingToken)).ToArray();
        await Task.WhenAll([.. workers, learning]);
    }

    private readonly ConcurrentDictionary<Guid, bool> _learned = new();
    private DateTime _learnedUntil = DateTime.MinValue;

    /// <summary>
    /// Adds the experience of runs that finished since the last call, wherever they ran (a child worker, another worker,
    /// another node), so stage C here learns from them without a restart. At start it reads them all.
    /// </summary>
    public async Task<int> LearnFinishedRunsAsync(CancellationToken ct)
    {
        if (experience is null) return 0;
        // A minute back: a run saved late by a node whose clock is behind is still found (the set skips repeats).
        var since = _learnedUntil == DateTime.MinValue ? DateTime.MinValue : _learnedUntil - TimeSpan.FromMinutes(1);
        var added = 0;
        foreach (var (jobId, completed, record) in await ExperiencesSinceAsync(since, ct))
        {
            if (completed > _learnedUntil) _learnedUntil = completed;
            if (!_learned.TryAdd(jobId, true)) continue; // this process ran it and added it already
            experience.Add(record);
            added++;
        }
        return added;
    }

    private async Task LearnLoopAsync(CancellationToken stoppingToken)
    {
        var every = TimeSpan.FromSeconds(Math.Max(options.PollSeconds, 1));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, clock, stoppingToken);
                if (await LearnFinishedRunsAsync(stoppingToken) is > 0 and var added)
                    logger.LogInformation("Learned from {Count} training run(s) that finished elsewhere.", added);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
            catch (Exception ex) { logger.LogWarning("Could not read finished training runs ({Error}); trying again.", ex.Message); }
        }
    }

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Guid? id;
                try { id = await jobs.ClaimNextAsync(TrainingJobStore.ThisProcess, stoppingToken); }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning("Could not look for queued training jobs ({Error}); trying again.", ex.Message);
                    id = null;
                }
                if (id is not { } claimed)
                {
                    // Idle: woken at once by a job queued here, or after PollSeconds for one another process queued.
                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    wait.CancelAfter(TimeSpan.FromSeconds(options.PollSeconds));
                    try { await _queue.Reader.ReadAsync(wait.Token); }
                    catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested) { }
                    catch (ChannelClosedException) { return; }
                    continue;
                }
                try { await RunJobAsync(claimed, stoppingToken); }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // One job's failure to save must not stop this worker from taking the next one.
                    logger.LogError(ex, "Training job {JobId} could not be finished", claimed);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    private async Task RunJobAsync(Guid id, CancellationToken stoppingToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        _running[id] = cts;
        var live = _live.GetOrAdd(id, _ => new LiveJob { Alive = liveRuns.TrainingJob(id) }); // claimed here, queued elsewhere
        live.Status = RunStatus.Running;
        var status = RunStatus.Failed;
        string? error = null;
        TrainingResult? result = null;
        string? modelText = null;
        double? realFinal = null;
        TrainingParameters? parameters = null;
        using var checkpoints = new CancellationTokenSource();
        Task? checkpointLoop = null;
        var restartProcess = false;
        try
        {
            var job = (await jobs.FindAsync(id, CancellationToken.None))!;
            await jobs.UpdateAsync(id, j => { j.Status = RunStatus.Running; j.StartedUtc = j.HeartbeatUtc = clock.GetUtcNow().UtcDateTime; }, CancellationToken.None);
            checkpointLoop = CheckpointLoopAsync(id, live, cts, checkpoints.Token);
            var experiment = (await experiments.GetAsync(job.ExperimentId, CancellationToken.None, job.Revision))!;
            var card = experiment.Cards.Data;
            var rows = experiment.Stage(StageKind.Hyperparameters)?.Output.Hyperparameters ?? [];

            var resume = job.Mode == TrainingModes.Recommended && job.CheckpointJson is { } saved
                ? System.Text.Json.JsonSerializer.Deserialize<Training.TrainingCheckpoint>(saved, ExperimentStore.Json) : null;
            var raceResume = job.Mode == TrainingModes.Race && job.CheckpointJson is { } savedRace
                ? System.Text.Json.JsonSerializer.Deserialize<RaceCheckpoint>(savedRace, ExperimentStore.Json) : null;
            live.HasSavedCheckpoint = job.CheckpointJson is not null;
            if (raceResume is not null)
                lock (live.Gate) live.Log.Clear().Append(job.Log); // the curve is kept once the race's candidates are known
            if (resume is not null)
            {
                // The runner before this one stopped: keep what it saved, and go on from its last model checkpoint.
                lock (live.Gate)
                {
                    live.Log.Clear().Append(job.Log);
                    live.Curve.Clear();
                    live.Curve.AddRange(TrainingJobStore.ToView(job).Curve.Where(m => m.Iteration <= resume.Iteration));
                }
                Append(live, $"Resumed from iteration {resume.Iteration} (the model checkpoint of the runner that stopped; the iterations after it are trained again).");
            }
            Append(live, $"Reading {card.Name} ({job.DatasetFile})…");
            var table = CsvReader.Read(folders.DatasetPath(job.DatasetFile));
            var data = TabularData.Build(table, card);
            var (family, _) = ModelCatalogue.Resolve(experiment.Cards.Model, card);
            parameters = job.Mode == TrainingModes.Race ? TrainingParameters.From([], card, data.Classes.Length, options.Threads)
                : family.IsTreeEnsemble ? TrainingParameters.From(rows, card, data.Classes.Length, options.Threads)
                : ForNonTreeFamily(live, family, card, data);
            Append(live, $"{data.Rows:N0} labelled rows, {data.Columns} features ({data.CategoricalFeatures.Length} categorical); {data.Split.Description}: " +
                         $"{data.Split.Train.Length:N0} train, {data.Split.Valid.Length:N0} validation, {data.Split.Test.Length:N0} test.");
            if (job.Mode != TrainingModes.Race)
            {
                foreach (var m in parameters.Messages) Append(live, "Note: " + m);
                Append(live, $"LightGBM {parameters.ToNativeString()} num_iterations={parameters.Iterations} early_stopping_rounds={parameters.EarlyStoppingRounds}");
                if (LightGbmTrainer.TrainMetricEvery(data.Split.Train.Length) is > 1 and var every)
                    Append(live, $"The training loss is evaluated every {every} iterations ({data.Split.Train.Length:N0} training rows: over every row it costs as much as an iteration); validation, which the curve and early stopping use, every iteration.");
                var started = parameters;
                await jobs.UpdateAsync(id, j => j.ParametersJson = TrainingJobStore.Serialize(started), CancellationToken.None);
            }

            var metric = LightGbmTrainer.CurveMetric(card);
            TrainingOutcome outcome;
            MetricForecast? probe = null;
            IReadOnlyList<RaceResult> race = [];
            if (job.Mode == TrainingModes.Race)
                (outcome, parameters, race) = await RaceAsync(live, card, data, metric, raceResume, TrainingJobStore.ToView(job).Curve, cts.Token);
            else
            {
                if (resume is null) probe = await ProbeAsync(live, card, data, parameters, metric, cts.Token);
                var trained = parameters;
                if (distributed?.Applies(data.Split.Train.Length) == true)
                {
                    // Several processes, LightGBM's own parallel learner; process 0 checkpoints the model like a single run.
                    var run = await distributed.TrainAsync(id, folders.Root, data, trained, card, options.Threads, m => AddIteration(live, m, card, metric), line => Append(live, line), cts.Token,
                        resume, new ModelCheckpoints(TimeSpan.FromSeconds(options.ModelCheckpointSeconds), checkpoint => SetPendingCheckpoint(live, checkpoint)));
                    outcome = run.Outcome;
                    Append(live, run.ModelsIdentical
                        ? $"All {run.Models.Count} processes ended with the same model (as data-parallel training should)."
                        : $"Warning: the {run.Models.Count} processes ended with different models (voting-parallel decides splits on each process's own rows); process 0's, whose curve is shown, is kept.");
                }
                // Native calls block: run them off the request threads.
                else outcome = await Task.Run(() => TrainWithCheckpoints(live, data, trained, card, metric, resume, cts.Token), CancellationToken.None);
            }

            modelText = outcome.ModelText; // saved with the job's final state, in the database
            realFinal = outcome.Test.Get(metric);
            Append(live, $"Best iteration {outcome.BestIteration} of {outcome.Iterations}; test {metric} {realFinal:0.####} on {outcome.Test.Rows:N0} rows; {outcome.Elapsed.TotalSeconds:0.0} s.");
            if (probe is not null && realFinal is { } rf)
                Append(live, $"Probe predicted {probe.Value:0.####} [{probe.Low:0.####}, {probe.High:0.####}]; the real value is {(probe.Contains(rf) ? "inside" : "outside")} the band.");
            cts.Token.ThrowIfCancellationRequested();
            Append(live, "Training the ML.NET FastTree baseline on the same split…");
            var baseline = await Task.Run(() => MlNetBaseline.Train(data, card, cancellationToken: cts.Token), CancellationToken.None);
            Append(live, $"{baseline.Trainer}: test {metric} {baseline.Test.Get(metric):0.####}; {baseline.Elapsed.TotalSeconds:0.0} s.");
            result = new TrainingResult(outcome.Test, outcome.BestIteration, outcome.Iterations, outcome.Elapsed.TotalSeconds, data.Split.Description, parameters.Messages, metric,
                baseline.Test, baseline.Trainer, baseline.Elapsed.TotalSeconds) { Probe = probe, Race = race };
            status = RunStatus.Succeeded;
            // The run enriches the experience store: future similar datasets learn from it (a race adds a partial matrix row).
            if (ToExperience(card, ExperienceName(card, job.ExperimentId), parameters, outcome, table, data, race) is { } record && _learned.TryAdd(id, true)) experience?.Add(record);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            status = stoppingToken.IsCancellationRequested ? RunStatus.Interrupted : RunStatus.Cancelled;
            error = status == RunStatus.Cancelled ? "Cancelled by the user." : "The app stopped during training; the log up to then is kept.";
            Append(live, error);
        }
        catch (Exception ex) when (ex is TrainingDataException or CsvFormatException or Training.Distributed.DistributedTrainingException)
        {
            error = ex.Message;
            Append(live, "Error: " + ex.Message);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Training job {JobId} failed", id);
            var outOfMemory = ex is OutOfMemoryException or LightGbmException { IsOutOfMemory: true };
            error = outOfMemory
                ? $"Training ran out of memory ({ex.Message}). Try a smaller table, fewer threads or a higher memory limit."
                : $"Training failed: {ex.Message}";
            // A child worker that ran out of memory may be left in a bad state: it ends after saving, and its parent starts a fresh one.
            restartProcess = outOfMemory && Environment.GetEnvironmentVariable(WorkerHost.ParentProcessVariable) is not null;
            Append(live, "Error: " + ex.Message);
        }
        finally
        {
            await checkpoints.CancelAsync();
            if (checkpointLoop is not null) await checkpointLoop;
            // Stopped with its process (not by the user) after a model checkpoint: queued again, to continue from it on
            // the next runner (this process after a restart, or another worker).
            string? pending;
            lock (live.Gate) { pending = live.PendingCheckpoint; live.PendingCheckpoint = null; }
            var requeue = status == RunStatus.Interrupted && (pending is not null || live.HasSavedCheckpoint);
            if (requeue) Append(live, "Stopped with its process; queued again to continue from its last model checkpoint.");
            live.Status = requeue ? RunStatus.Queued : status;
            string log; string curve;
            lock (live.Gate) { log = live.Log.ToString(); curve = TrainingJobStore.Serialize(live.Curve); }
            var finalParameters = parameters;
            var finalCheckpoint = pending;
            await jobs.UpdateAsync(id, j =>
            {
                if (finalParameters is not null) j.ParametersJson = TrainingJobStore.Serialize(finalParameters);
                j.Log = log; j.CurveJson = curve;
                j.HeartbeatUtc = clock.GetUtcNow().UtcDateTime;
                if (requeue)
                {
                    (j.Status, j.ClaimedBy) = (RunStatus.Queued, null);
                    if (finalCheckpoint is not null) j.CheckpointJson = finalCheckpoint;
                    return;
                }
                j.Status = status; j.Error = error; j.RealFinal = realFinal;
                if (status == RunStatus.Succeeded && modelText is not null) (j.ModelFile, j.Model) = ($"{id:N}.txt", new TrainingModelEntity { JobId = j.Id, Text = modelText });
                j.ResultJson = result is null ? null : TrainingJobStore.Serialize(result);
                j.CompletedUtc = j.HeartbeatUtc;
                j.CheckpointJson = null; // the model is the result now; a checkpoint can be megabytes
            }, CancellationToken.None);
            _running.TryRemove(id, out _);
            _live.TryRemove(id, out _);
            live.Touch(); // followers read the saved, final state
            live.Alive?.Dispose();
            logger.LogInformation("Training job {JobId} ended: {Status}", id, status);
            if (restartProcess) lifetime?.StopApplication();
        }
    }

    // Every ModelCheckpointSeconds the model so far is taken on the training thread, between iterations, and left for
    // the checkpoint loop to save.
    private TrainingOutcome TrainWithCheckpoints(LiveJob live, TabularData data, TrainingParameters parameters, DataCard card, string metric, Training.TrainingCheckpoint? resume, CancellationToken ct) =>
        LightGbmTrainer.Train(data, parameters, card, m => AddIteration(live, m, card, metric), ct, resume,
            new ModelCheckpoints(TimeSpan.FromSeconds(options.ModelCheckpointSeconds), checkpoint => SetPendingCheckpoint(live, checkpoint)));

    private static void SetPendingCheckpoint<T>(LiveJob live, T checkpoint)
    {
        var json = TrainingJobStore.Serialize(checkpoint);
        lock (live.Gate) live.PendingCheckpoint = json;
    }

    private static void AddIteration(LiveJob live, IterationMetrics m, DataCard card, string metric)
    {
        lock (live.Gate)
        {
            live.Curve.Add(m);
            live.Log.AppendLine(LightGbmTrainer.LogLine(m, card, metric));
        }
        live.Touch();
    }

    private static Knowledge.ExperienceRecord? ToExperience(DataCard card, string name, TrainingParameters parameters, TrainingOutcome outcome, CsvTable table, TabularData data, IReadOnlyList<RaceResult> race)
    {
        if (outcome.Test.Get(card.PrimaryMetric) is not { } score) return null;
        var profile = DataProfiler.Profile(table, card.LabelColumn);
        var counts = profile.ClassCounts.Select(c => c.Count).ToList();
        var meta = Knowledge.MetaFeatures.FromCard(card, counts.Count >= 2 ? counts.Min() / (double)counts.Max() : null, profile.MissingShare);
        return Experience(card, name, meta, parameters, outcome.BestIteration, score, race);
    }

    /// <summary>Predicts the final metric from a learning-curve probe of the configuration about to train.</summary>
    // Stage C of a neural family (an MLP's learning rate, epochs…) means nothing to LightGBM: train LightGBM's own
    // recommended configuration instead, and say so, rather than boosting 100 rounds at an MLP's learning rate.
    private TrainingParameters ForNonTreeFamily(LiveJob live, ModelFamily family, DataCard card, TabularData data)
    {
        if (knowledge?.Portfolio is { } portfolio)
        {
            var choice = portfolio.ChooseZeroShot(card, trainRows: data.Split.Train.Length);
            Append(live, $"Stage C is {family.DisplayName}'s recipe, not a gradient-boosting one: the real run trains LightGBM with the zero-shot configuration {choice.Candidate.Id} instead.");
            return choice.Parameters(card.Task, data.Classes.Length, options.Threads);
        }
        Append(live, $"Stage C is {family.DisplayName}'s recipe, not a gradient-boosting one: the real run trains LightGBM with its defaults instead.");
        return TrainingParameters.From([], card, data.Classes.Length, options.Threads);
    }

    private async Task<MetricForecast?> ProbeAsync(LiveJob live, DataCard card, TabularData data, TrainingParameters parameters, string metric, CancellationToken ct)
    {
        if (knowledge?.Forecaster is not { } forecaster || MetricForecaster.KindOf(metric) is null || data.Split.Train.Length < 40) return null;
        Append(live, $"Probe: training on {string.Join(", ", LearningCurveProbe.Fractions.Select(f => f.ToString("P0", System.Globalization.CultureInfo.InvariantCulture)))} of the training rows to predict the final {metric}…");
        var curve = await Task.Run(() => LearningCurveProbe.Run(data, parameters, metric, ct), CancellationToken.None);
        var forecast = forecaster.FromProbe(metric, curve, data.Split.Test.Length, MinorityShare(data));
        if (forecast is not null) Append(live, $"Probe prediction: test {metric} {forecast.Value:0.####}, {forecaster.Coverage:P0} band [{forecast.Low:0.####}, {forecast.High:0.####}]. Basis: {forecast.Basis}.");
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
    private async Task<(TrainingOutcome, TrainingParameters, IReadOnlyList<RaceResult>)> RaceAsync(LiveJob live, DataCard card, TabularData data, string metric,
        RaceCheckpoint? resume, IReadOnlyList<IterationMetrics> savedCurve, CancellationToken ct)
    {
        var portfolio = knowledge!.Portfolio!;
        var choice = portfolio.ChooseZeroShot(card, trainRows: data.Split.Train.Length);
        var plan = portfolio.PlanRace(card, choice, trainRows: data.Split.Train.Length);
        var threads = Math.Max(1, Math.Min(options.Threads, Environment.ProcessorCount));
        var estimate = portfolio.EstimateRaceSeconds(plan, data.Split.Train.Length, data.Columns, portfolio.Options.RaceStrategy, portfolio.Options.FirstRung) / (threads * 0.7);
        // The race stops starting candidates once it has used three times its estimate (at least 30 s): what ran is compared.
        var budget = TimeSpan.FromSeconds(Math.Max(30, double.IsFinite(estimate) ? 3 * estimate : 300));
        Append(live, portfolio.Options.RaceStrategy == PortfolioRace.Halving
            ? $"Race: {plan.Count} candidates on the same split by successive halving (the better half on validation {metric} goes on with twice the rounds, from {portfolio.Options.FirstRung}); the last one trains to its early stop. About {Math.Ceiling(estimate):0} s."
            : $"Race: {plan.Count} candidates on the same split, about {Math.Ceiling(estimate):0} s (budget {budget.TotalSeconds:0} s); each trains with early stopping on the validation loss and the best validation {metric} wins.");
        if (resume is not null && !resume.Fits(plan))
        {
            Append(live, "The race's candidates changed since its checkpoint (the knowledge learned from other runs meanwhile): it starts again.");
            resume = null;
        }
        if (resume is not null)
        {
            lock (live.Gate) { live.Curve.Clear(); live.Curve.AddRange(savedCurve.Where(m => resume.Covers(plan, m))); }
            Append(live, $"Resumed the race from its checkpoint ({resume.Alive.Length} candidate(s) still in, {resume.Runs.Count(r => r is not null)} with their models so far; the rounds after it are trained again).");
        }
        return await Task.Run(() =>
        {
            using var split = LightGbmSplit.Create(data);
            var outcome = PortfolioRace.Run(split, plan, card.Task, card.PrimaryMetric, threads,
                (id, m) => { lock (live.Gate) live.Curve.Add(m with { Candidate = id }); live.Touch(); },
                line => Append(live, line), ct, portfolio.Options.RaceStrategy, portfolio.Options.FirstRung, budget,
                resumeFrom: resume, checkpoints: (TimeSpan.FromSeconds(options.ModelCheckpointSeconds), checkpoint => SetPendingCheckpoint(live, checkpoint)));
            var race = outcome.Candidates.Select((r, i) => new RaceResult(r.Entry.Candidate.Id, r.Entry.Candidate.Origin, r.Entry.Reason, r.Entry.Values, r.Valid,
                r.Test, r.BestIteration, r.Seconds, i == outcome.Winner) { DroppedAtIteration = r.DroppedAtIteration }).ToList();
            return (outcome.WinnerOutcome, outcome.Candidates[outcome.Winner].Parameters, (IReadOnlyList<RaceResult>)race);
        }, CancellationToken.None);
    }

    private static readonly string[] TransferredKeys = ["learning_rate", "num_leaves", "min_data_in_leaf", "feature_fraction", "bagging_fraction", "lambda_l2", "extra_trees"];

    // A finished run as an experience: its card and statistics, the LightGBM values that transfer, and its test score.
    private static Knowledge.ExperienceRecord Experience(DataCard card, string name, Knowledge.MetaFeatures meta, TrainingParameters parameters, int bestIteration, double score, IReadOnlyList<RaceResult>? race = null)
    {
        var hyper = TransferredKeys.Where(parameters.LightGbm.ContainsKey).ToDictionary(k => k, k => parameters.LightGbm[k]);
        hyper["num_iterations"] = bestIteration.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new Knowledge.ExperienceRecord
        {
            Dataset = name, Source = "training", Card = card, Meta = meta, Family = Knowledge.KnowledgePackBuilder.Family, Hyperparameters = hyper,
            Metric = card.PrimaryMetric, HigherIsBetter = TaskDefaults.HigherIsBetter(card.PrimaryMetric), Score = score, BestIteration = bestIteration,
            // Only candidates that trained to their end: a score cut short by halving would understate them.
            CandidateScores = race is { Count: > 0 } ? race.Where(r => double.IsFinite(r.Test) && r.DroppedAtIteration is null).ToDictionary(r => r.Candidate, r => r.Test) : null,
        };
    }

    /// <summary>Finished runs saved in the database, as experiences.</summary>
    public async Task<IReadOnlyList<Knowledge.ExperienceRecord>> ExperiencesAsync(CancellationToken ct) =>
        (await ExperiencesSinceAsync(DateTime.MinValue, ct)).Select(e => e.Record).ToList();

    private async Task<List<(Guid JobId, DateTime Completed, Knowledge.ExperienceRecord Record)>> ExperiencesSinceAsync(DateTime since, CancellationToken ct)
    {
        var records = new List<(Guid, DateTime, Knowledge.ExperienceRecord)>();
        foreach (var job in await jobs.SucceededAsync(ct, since))
        {
            if (job.ResultJson is null || await experiments.GetAsync(job.ExperimentId, ct, job.Revision) is not { } experiment) continue;
            var result = TrainingJobStore.ToView(job).Result!;
            var parameters = System.Text.Json.JsonSerializer.Deserialize<TrainingParameters>(job.ParametersJson, ExperimentStore.Json);
            var card = experiment.Cards.Data;
            if (parameters is null || result.Test.Get(card.PrimaryMetric) is not { } score) continue;
            records.Add((job.Id, job.CompletedUtc ?? since, Experience(card, ExperienceName(card, job.ExperimentId), Knowledge.MetaFeatures.FromCard(card), parameters, result.BestIteration, score, result.Race)));
        }
        return records;
    }

    // Log and curve checkpoint every few seconds while the job runs (the heartbeat is RunHeartbeatService's, via LiveRuns).
    private async Task CheckpointLoopAsync(Guid id, LiveJob live, CancellationTokenSource job, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.CheckpointSeconds), clock);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                string log; string curve; string? checkpoint;
                lock (live.Gate) { log = live.Log.ToString(); curve = TrainingJobStore.Serialize(live.Curve); checkpoint = live.PendingCheckpoint; live.PendingCheckpoint = null; }
                var cancelRequested = false;
                await jobs.UpdateAsync(id, j =>
                {
                    j.Log = log; j.CurveJson = curve; cancelRequested = j.CancelRequested;
                    if (checkpoint is not null) j.CheckpointJson = checkpoint;
                }, CancellationToken.None);
                if (checkpoint is not null) live.HasSavedCheckpoint = true;
                if (cancelRequested) await job.CancelAsync(); // Cancel pressed on a node that does not run this job
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception ex)
        {
            // A failed checkpoint must not take the job (or the worker) down: the final save still runs.
            logger.LogError(ex, "Checkpoint of training job {JobId} failed", id);
        }
    }

    private static void Append(LiveJob live, string line)
    {
        lock (live.Gate) live.Log.AppendLine(line);
        live.Touch();
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }
}
