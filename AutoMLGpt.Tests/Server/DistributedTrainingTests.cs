using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.Training;
using AutoMLGpt.Core.Training.Distributed;
using AutoMLGpt.Core.TrainingJobs;
using AutoMLGpt.Tests.Core;
using AutoMLGpt.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;

namespace AutoMLGpt.Tests.Server;

/// <summary>
/// One job on two real processes on 127.0.0.1 (LightGBM's data- and voting-parallel learners through LGBM_NetworkInit):
/// both processes end with the same model, the curve reaches the database, Cancel stops both, and a killed peer fails the
/// job instead of hanging it.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Process)]
public sealed class DistributedTrainingTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static DistributedTrainingOptions Options(string learner = "data") => new()
    {
        Processes = 2, MinTrainRows = 0, TreeLearner = learner, TimeoutSeconds = 60, RankAssembly = WebProcess.Built("AutoMLGpt.Worker"),
    };

    private sealed record AdultRun(DistributedOutcome Result, List<IterationMetrics> Curve, List<string> Log, TabularData Data, TrainingParameters Parameters, DataCard Card);

    /// <summary>Adult with LightGBM's defaults (100 iterations) on two local processes; the shard folder is checked, then removed.</summary>
    /// <summary>Adult as the app would read an upload of it, with LightGBM's defaults (100 iterations).</summary>
    private static (TabularData Data, TrainingParameters Parameters, DataCard Card) Adult()
    {
        var table = CsvReader.Read(SharedData.Csv("adult"));
        var card = DataProfiler.Profile(table).ToDataCard("adult");
        var data = TabularData.Build(table, card);
        return (data, TrainingParameters.From([], card, data.Classes.Length, threads: 2), card);
    }

    private static async Task<AdultRun> TrainAdultOnTwoProcessesAsync(string learner)
    {
        var (data, parameters, card) = Adult();
        var folder = Directory.CreateTempSubdirectory("automlgpt-distributed-").FullName;
        try
        {
            var trainer = new DistributedTrainer(Options(learner), new LocalProcessLauncher(Options(learner)));
            var (curve, log) = (new List<IterationMetrics>(), new List<string>());
            var result = await trainer.TrainAsync(Guid.NewGuid(), folder, data, parameters, card, 2, curve.Add, log.Add, CancellationToken.None);
            Assert.Empty(Directory.GetDirectories(Path.Combine(folder, "distributed"))); // shards deleted
            return new AdultRun(result, curve, log, data, parameters, card);
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public async Task TwoLocalProcessesTrainTheSameModelAsGoodAsOneProcess()
    {
        var run = await TrainAdultOnTwoProcessesAsync("data");
        var result = run.Result;
        Assert.Equal(2, result.Models.Count);
        Assert.True(result.ModelsIdentical, "the two processes' models differ");
        Assert.Contains("Tree=0", result.Models[0]);
        Assert.Contains("[tree_learner: data]", result.Models[0]);
        Assert.Equal(Enumerable.Range(1, run.Parameters.Iterations), run.Curve.Select(m => m.Iteration)); // process 0's curve, each iteration once, in order
        Assert.Equal(2, run.Log.Count(l => l.Contains("dataset built")));

        var single = LightGbmTrainer.Train(run.Data, run.Parameters, run.Card, _ => { }, CancellationToken.None);
        Assert.InRange(result.Outcome.Test.Accuracy!.Value, single.Test.Accuracy!.Value - 0.01, single.Test.Accuracy.Value + 0.01);
        Assert.InRange(result.Outcome.Test.Auc!.Value, single.Test.Auc!.Value - 0.01, 1);
    }

    /// <summary>
    /// Process 0 checkpoints the model; a job whose runner died (here: cancelled right after a checkpoint) continues from it
    /// on a new set of processes, each scoring its own shard with the checkpoint's trees: the curve goes on from the
    /// checkpoint, the processes still agree, and the result is as good as one uninterrupted process's.
    /// </summary>
    [Fact]
    public async Task ADistributedJobContinuesFromProcessZerosCheckpointOnNewProcesses()
    {
        var (data, parameters, card) = Adult();
        var folder = Directory.CreateTempSubdirectory("automlgpt-distributed-").FullName;
        try
        {
            var trainer = new DistributedTrainer(Options(), new LocalProcessLauncher(Options()));
            TrainingCheckpoint? checkpoint = null;
            using (var stop = new CancellationTokenSource())
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => trainer.TrainAsync(Guid.NewGuid(), folder, data, parameters, card, 2, _ => { }, _ => { }, stop.Token,
                    checkpoints: new ModelCheckpoints(TimeSpan.FromMilliseconds(1), c => { if (c.Iteration >= 30 && checkpoint is null) { checkpoint = c; stop.Cancel(); } })));
            Assert.NotNull(checkpoint);

            var curve = new List<IterationMetrics>();
            var resumed = await trainer.TrainAsync(Guid.NewGuid(), folder, data, parameters, card, 2, curve.Add, _ => { }, CancellationToken.None, resumeFrom: checkpoint);
            Assert.Equal(Enumerable.Range(checkpoint.Iteration + 1, parameters.Iterations - checkpoint.Iteration), curve.Select(m => m.Iteration));
            Assert.True(resumed.ModelsIdentical);
            Assert.InRange(resumed.Outcome.BestIteration, checkpoint.Iteration + 1, parameters.Iterations);
            Assert.Contains($"Tree={resumed.Outcome.BestIteration - 1}\n", resumed.Outcome.ModelText); // the checkpoint's trees and the new ones
            var single = LightGbmTrainer.Train(data, parameters, card, _ => { }, CancellationToken.None);
            Assert.InRange(resumed.Outcome.Test.Accuracy!.Value, single.Test.Accuracy!.Value - 0.01, single.Test.Accuracy.Value + 0.01);
        }
        finally { Directory.Delete(folder, true); }
    }

    /// <summary>
    /// Voting-parallel runs and reports, but it is LightGBM's approximate learner: its processes may end with different
    /// models (process 0's is kept, the log warns) and it is less accurate (BENCHMARKS.md has figures).
    /// </summary>
    [Fact]
    public async Task VotingParallelTrainsOnTwoProcessesKeepsProcessZerosModelAndSaysItIsApproximate()
    {
        var run = await TrainAdultOnTwoProcessesAsync("voting");
        Assert.Equal(run.Result.Models[0], run.Result.Outcome.ModelText);
        Assert.Contains("[tree_learner: voting]", run.Result.Models[0]);
        Assert.Contains("[top_k: 20]", run.Result.Models[0]);
        Assert.Equal(Enumerable.Range(1, run.Result.Outcome.Iterations), run.Curve.Select(m => m.Iteration));
        Assert.Contains(run.Log, l => l.Contains("voting-parallel is LightGBM's approximate learner"));
        Assert.InRange(run.Result.Outcome.Test.Auc!.Value, 0.75, 1); // a real model, if a weaker one than data-parallel's
    }

    private static Dictionary<string, string?> JobSettings(string timeout = "60") => new()
    {
        ["Training:Distributed:Processes"] = "2", ["Training:Distributed:MinTrainRows"] = "1000", ["Training:Distributed:TimeoutSeconds"] = timeout,
        ["Training:Distributed:RankAssembly"] = WebProcess.Built("AutoMLGpt.Worker"), ["Training:CheckpointSeconds"] = "0.5", ["Training:Threads"] = "2",
    };

    [Fact]
    public async Task ADistributedJobStreamsProcessZerosCurveAndSavesItsMetricsAndModelOnPostgreSql()
    {
        var settings = JobSettings();
        foreach (var (key, value) in await postgres.SettingsAsync()) settings[key] = value;
        await using var db = await TestDatabase.CreateAsync(settings: settings);
        var service = db.Services.GetRequiredService<TrainingService>();
        var queue = db.Services.GetRequiredService<TrainingQueue>();
        await queue.StartAsync(CancellationToken.None);
        var experiment = await TrainingServiceTests.ExperimentFromUploadAsync(db, "adult");

        var job = await service.EnqueueAsync(experiment);
        var done = await TrainingServiceTests.WaitAsync(service, job, j => j.Status is not (RunStatus.Queued or RunStatus.Running), seconds: 240);
        Assert.True(done.Status == RunStatus.Succeeded, $"{done.Status}: {done.Error}\n{done.Log}");
        Assert.Contains("Distributed: 2 local processes on 127.0.0.1, LightGBM data-parallel", done.Log);
        Assert.Contains("All 2 processes ended with the same model", done.Log);
        Assert.True(done.HasModel);
        // The metric rows are in the database: one per iteration, as process 0 reported them.
        var row = (await db.Services.GetRequiredService<TrainingJobStore>().FindAsync(job))!;
        var saved = TrainingJobStore.ToView(row).Curve;
        Assert.Equal(Enumerable.Range(1, done.Result!.Iterations), saved.Select(m => m.Iteration));
        Assert.Contains("tree_learner: data", await db.Services.GetRequiredService<TrainingJobStore>().ModelTextAsync(row, db.Services.GetRequiredService<DataFolders>()));
        Assert.InRange(done.RealFinal!.Value, 0.85, 1.0);
        await queue.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task CancelStopsEveryProcessOfTheJob()
    {
        await using var db = await TestDatabase.CreateAsync(settings: JobSettings());
        var service = db.Services.GetRequiredService<TrainingService>();
        var queue = db.Services.GetRequiredService<TrainingQueue>();
        await queue.StartAsync(CancellationToken.None);
        var experiment = await TrainingServiceTests.ExperimentFromCsvAsync(db, WorkerTests.SyntheticCsv(db.Folder, 300_000), "large synthetic");

        var job = await service.EnqueueAsync(experiment);
        await TrainingServiceTests.WaitAsync(service, job, j => j.Curve.Count >= 3, seconds: 180);
        Assert.Equal(2, RankProcesses(job).Count);
        await service.CancelAsync(job);
        var done = await TrainingServiceTests.WaitAsync(service, job, j => j.Status is not (RunStatus.Queued or RunStatus.Running), seconds: 60);
        Assert.Equal(RunStatus.Cancelled, done.Status);
        Assert.Empty(RankProcesses(job));
        await queue.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task AKilledPeerFailsTheJobWithinItsTimeOutAndStopsTheOther()
    {
        await using var db = await TestDatabase.CreateAsync(settings: JobSettings(timeout: "20"));
        var service = db.Services.GetRequiredService<TrainingService>();
        var queue = db.Services.GetRequiredService<TrainingQueue>();
        await queue.StartAsync(CancellationToken.None);
        var experiment = await TrainingServiceTests.ExperimentFromCsvAsync(db, WorkerTests.SyntheticCsv(db.Folder, 300_000), "large synthetic");

        var job = await service.EnqueueAsync(experiment);
        await TrainingServiceTests.WaitAsync(service, job, j => j.Curve.Count >= 3, seconds: 180);
        var peer = RankProcesses(job).Single(p => p.Rank == 1);
        using (var process = System.Diagnostics.Process.GetProcessById(peer.Pid)) process.Kill();
        var killed = DateTime.UtcNow;
        var done = await TrainingServiceTests.WaitAsync(service, job, j => j.Status is not (RunStatus.Queued or RunStatus.Running), seconds: 60);
        Assert.Equal(RunStatus.Failed, done.Status);
        Assert.True(DateTime.UtcNow - killed < TimeSpan.FromSeconds(20 + 5), "the job took longer than its time-out to fail");
        Assert.Contains("Process 1 of 2", done.Error);
        Assert.Empty(RankProcesses(job));
        await queue.StopAsync(CancellationToken.None);
    }

    [Fact]
    public void FeatureParallelIsRefusedAtStartWithTheReason()
    {
        var problems = new TrainingOptions { Distributed = new DistributedTrainingOptions { Processes = 2, TreeLearner = "feature" } }.Problems().ToList();
        Assert.Contains(problems, p => p.Contains("Training:Distributed:TreeLearner") && p.Contains("C API"));
        Assert.Empty(new TrainingOptions { Distributed = new DistributedTrainingOptions { Processes = 2, TreeLearner = "voting" } }.Problems());
        Assert.Contains(new TrainingOptions { Distributed = new DistributedTrainingOptions { Processes = 2, Launcher = "Kubernetes" } }.Problems(), p => p.Contains("Kubernetes:Image"));
    }

    /// <summary>The job's rank processes still alive on this machine (their command line names the job's shard folder).</summary>
    private static List<(int Pid, int Rank)> RankProcesses(Guid job) =>
        ProcFs.RunningWithArguments().Where(p => p.Args.Contains(DistributedRank.Flag) && p.Args.Any(a => a.Contains(job.ToString("N"))))
            .Select(p => (p.Pid, int.Parse(p.Args[Array.IndexOf(p.Args, "--rank") + 1]))).ToList();
}
