using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.Training;
using AutoMLGpt.Core.TrainingJobs;
using AutoMLGpt.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;

namespace AutoMLGpt.Tests.Core;

/// <summary>The job runner's orchestration over a fake training engine: the steps, Cancel and failures, in milliseconds.</summary>
[Trait(TestCategory.Name, TestCategory.Fast)]
public sealed class TrainingJobRunnerTests
{
    private static async Task<(TestDatabase Db, FakeTabularTrainer Trainer)> StartAsync()
    {
        var trainer = new FakeTabularTrainer();
        var db = await TestDatabase.CreateAsync(configure: s => s.AddSingleton<ITabularTrainer>(trainer));
        await db.Services.GetRequiredService<TrainingQueue>().StartAsync(CancellationToken.None);
        return (db, trainer);
    }

    private static Task<TrainingJobView> EndedAsync(TrainingService service, Guid job) =>
        TrainingServiceTests.WaitAsync(service, job, j => j.Status is not (RunStatus.Queued or RunStatus.Running), seconds: 30);

    [Fact]
    public async Task AJobGoesThroughItsStepsAndSavesItsCurveResultAndModel()
    {
        var (db, trainer) = await StartAsync();
        await using var _ = db;
        var service = db.Services.GetRequiredService<TrainingService>();
        var done = await EndedAsync(service, await service.EnqueueAsync(await TrainingServiceTests.ExperimentFromUploadAsync(db, "breast_cancer_wisconsin")));

        Assert.True(done.Status == RunStatus.Succeeded, done.Log);
        Assert.Equal(1, trainer.Trained);
        Assert.Equal([1, 2, 3, 4, 5], done.Curve.Select(m => m.Iteration));
        Assert.Equal("fake baseline", done.Result!.BaselineTrainer);
        Assert.True(done.HasModel);
        var log = done.Log;
        Assert.True(log.IndexOf("Reading", StringComparison.Ordinal) < log.IndexOf("labelled rows", StringComparison.Ordinal)
            && log.IndexOf("labelled rows", StringComparison.Ordinal) < log.IndexOf("Best iteration 5 of 5", StringComparison.Ordinal)
            && log.IndexOf("Best iteration 5 of 5", StringComparison.Ordinal) < log.IndexOf("fake baseline", StringComparison.Ordinal), log);
        await db.Services.GetRequiredService<TrainingQueue>().StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task CancelReachesTheBaselineAndTheJobEndsCancelledWithItsLog()
    {
        var (db, trainer) = await StartAsync();
        await using var _ = db;
        trainer.HoldBaseline = true;
        var service = db.Services.GetRequiredService<TrainingService>();
        var job = await service.EnqueueAsync(await TrainingServiceTests.ExperimentFromUploadAsync(db, "breast_cancer_wisconsin"));
        await trainer.BaselineStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await service.CancelAsync(job);
        var done = await EndedAsync(service, job);
        Assert.Equal(RunStatus.Cancelled, done.Status);
        Assert.Contains("Training the ML.NET FastTree baseline", done.Log);
        Assert.Contains("Cancelled by the user.", done.Log);
        Assert.False(done.HasModel);
        await db.Services.GetRequiredService<TrainingQueue>().StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task LightGbmRunningOutOfMemoryFailsTheJobWithWhatToDoAndTheNextJobStillRuns()
    {
        var (db, trainer) = await StartAsync();
        await using var _ = db;
        trainer.TrainFails = new LightGbmException("std::bad_alloc");
        var service = db.Services.GetRequiredService<TrainingService>();
        var experiment = await TrainingServiceTests.ExperimentFromUploadAsync(db, "breast_cancer_wisconsin");
        var failed = await EndedAsync(service, await service.EnqueueAsync(experiment));
        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.StartsWith("Training ran out of memory (LightGBM: std::bad_alloc). Try a smaller table", failed.Error);

        trainer.TrainFails = null;
        Assert.Equal(RunStatus.Succeeded, (await EndedAsync(service, await service.EnqueueAsync(experiment))).Status);
        await db.Services.GetRequiredService<TrainingQueue>().StopAsync(CancellationToken.None);
    }
}
