using System.Diagnostics;
using System.Globalization;
using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.Training.Distributed;

/// <summary>A distributed run's result: process 0's model and test metrics, and every process's model (they should be the same).</summary>
public sealed record DistributedOutcome(TrainingOutcome Outcome, IReadOnlyList<string> Models)
{
    public bool ModelsIdentical => Models.All(m => m == Models[0]);
}

/// <summary>A distributed job that could not finish: a process failed or stopped reporting; every process was stopped.</summary>
public sealed class DistributedTrainingException(string message) : Exception(message);

/// <summary>
/// Coordinates one job on several processes: writes the shards, starts the processes through the launcher, streams
/// process 0's curve, and stops all of them on cancel, on a process's early end, or when none reports for
/// <see cref="DistributedTrainingOptions.TimeoutSeconds"/>. Never trains itself.
/// </summary>
public sealed class DistributedTrainer(DistributedTrainingOptions options, IDistributedLauncher launcher)
{
    public DistributedTrainingOptions Options => options;

    /// <summary>Whether a table this size is trained on several processes.</summary>
    public bool Applies(int trainRows) => options.Enabled && trainRows >= options.MinTrainRows;

    public string Describe() => $"{launcher.Describe(options.Processes)}, LightGBM {options.TreeLearner}-parallel";

    /// <summary>The booster settings every process uses: the run's own plus the parallel learner (threads shared among local processes).</summary>
    public IReadOnlyDictionary<string, string> ParametersFor(TrainingParameters parameters, int threads)
    {
        var values = new Dictionary<string, string>(parameters.LightGbm)
        {
            ["tree_learner"] = options.TreeLearner.ToLowerInvariant(),
            ["num_machines"] = options.Processes.ToString(CultureInfo.InvariantCulture),
            ["num_threads"] = (options.ThreadsPerProcess > 0 ? options.ThreadsPerProcess
                : options.OnKubernetes ? threads : Math.Max(1, threads / options.Processes)).ToString(CultureInfo.InvariantCulture),
        };
        if (values["tree_learner"] == "voting") values["top_k"] = options.TopK.ToString(CultureInfo.InvariantCulture);
        return values;
    }

    /// <param name="dataFolder">The data folder the processes share; the shards go to <c>distributed/{job}</c> under it and are deleted at the end.</param>
    /// <param name="resumeFrom">A checkpoint of this job (taken on any number of processes) to continue from.</param>
    /// <param name="checkpoints">How often process 0 saves the model so far, and what receives it.</param>
    public async Task<DistributedOutcome> TrainAsync(Guid jobId, string dataFolder, TabularData data, TrainingParameters parameters, DataCard card, int threads,
        Action<IterationMetrics> onIteration, Action<string> log, CancellationToken cancellationToken,
        TrainingCheckpoint? resumeFrom = null, ModelCheckpoints? checkpoints = null)
    {
        var watch = Stopwatch.StartNew();
        var relative = Path.Combine("distributed", jobId.ToString("N"));
        var directory = Path.Combine(dataFolder, relative);
        var n = options.Processes;
        var plan = new DistributedPlan(n, ParametersFor(parameters, threads), parameters.Iterations, parameters.EarlyStoppingRounds, card.Task, card.PrimaryMetric,
            data.Classes.Length, data.Columns, data.CategoricalFeatures, parameters.LightGbm.GetValueOrDefault("max_bin", "255"),
            LightGbmTrainer.TrainMetricEvery(data.Split.Train.Length / n), Math.Max(1, (int)Math.Ceiling(options.TimeoutSeconds / 60)))
        {
            CheckpointSeconds = checkpoints?.Every.TotalSeconds ?? 0,
        };
        try
        {
            await Task.Run(() =>
            {
                ShardFiles.Write(directory, plan, data);
                if (resumeFrom is not null) ShardFiles.WriteCheckpoint(Path.Combine(directory, ShardFiles.ResumeFile), resumeFrom); // before any process starts
            }, cancellationToken);
            if (plan.Parameters["tree_learner"] == "voting")
                log("Note: voting-parallel is LightGBM's approximate learner. Measured on a 1M-row table it reached 0.873–0.887 test accuracy where data-parallel reached 0.963, and its processes ended with different models (BENCHMARKS.md); compare with a data-parallel run before trusting it.");
            log($"Distributed: {Describe()}; shards of about {data.Split.Train.Length / n:N0} training rows each, the full validation set on every process; process 0 reports the curve (its training loss is over its own shard).");
            var launch = new DistributedLaunch($"automlgpt-{jobId.ToString("N")[..12]}", directory, relative, n);
            await using var run = await launcher.StartAsync(launch, cancellationToken);
            var done = new Dictionary<int, RankReport>();
            var errors = new Dictionary<int, string>();
            var exited = 0;
            while (exited < n)
            {
                RankMessage message;
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    wait.CancelAfter(options.Timeout);
                    try { message = await run.Messages.ReadAsync(wait.Token); }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        await run.StopAsync();
                        throw;
                    }
                    catch (OperationCanceledException)
                    {
                        await run.StopAsync();
                        throw new DistributedTrainingException($"No process of the distributed job reported for {options.TimeoutSeconds:0} s (Training:Distributed:TimeoutSeconds); all {n} were stopped.");
                    }
                }
                switch (message)
                {
                    case RankReported { Report.Event: RankReport.Iteration, Rank: 0, Report.Metrics: { } metrics }:
                        onIteration(metrics);
                        break;
                    case RankReported { Report.Event: RankReport.Checkpoint, Rank: 0 }:
                        if (checkpoints is not null && ShardFiles.ReadCheckpoint(Path.Combine(directory, ShardFiles.CheckpointFile)) is { } checkpoint) checkpoints.Save(checkpoint);
                        break;
                    case RankReported { Report.Event: RankReport.Built } built:
                        log($"Process {built.Rank}: dataset built ({built.Report.Message}), bins shared.");
                        break;
                    case RankReported { Report.Event: RankReport.Done } finished:
                        done[finished.Rank] = finished.Report;
                        break;
                    case RankReported { Report.Event: RankReport.Error } failed:
                        errors[failed.Rank] = failed.Report.Message ?? "unknown error";
                        break;
                    case RankExited { ExitCode: 0 } ended when done.ContainsKey(ended.Rank):
                        exited++;
                        break;
                    case RankExited { Rank: < 0 } launcher:
                        await run.StopAsync();
                        throw new DistributedTrainingException($"The launcher lost the job's processes: {launcher.Detail}. Every process was stopped.");
                    case RankExited ended:
                        await run.StopAsync();
                        var why = errors.GetValueOrDefault(ended.Rank) ?? TrainingJobs.WorkerHost.DescribeExit(ended.ExitCode, "out of memory or stopped from outside")
                            + (ended.Detail.Length > 0 ? $"; it said: {ended.Detail}" : "");
                        throw new DistributedTrainingException($"Process {ended.Rank} of {n} of the distributed job stopped before the end: {why}. The other processes were stopped.");
                }
            }
            var report = done[0];
            var models = Enumerable.Range(0, n).Select(r => File.ReadAllText(Path.Combine(directory, ShardFiles.ModelFile(r)))).ToList();
            var outcome = new TrainingOutcome(report.Test!, report.BestIteration, report.Iterations, models[0], watch.Elapsed, LightGbmTrainer.CurveMetric(card)) { BestValidMetric = report.BestValidMetric };
            return new DistributedOutcome(outcome, models);
        }
        finally
        {
            try { if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true); }
            catch (IOException) { } // a process still closing a file: the folder is named by the job and harmless
        }
    }
}
