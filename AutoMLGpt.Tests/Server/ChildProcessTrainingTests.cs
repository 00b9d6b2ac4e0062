using System.Net;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.TrainingJobs;
using AutoMLGpt.Tests.Core;
using AutoMLGpt.Tests.E2E;
using AutoMLGpt.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;

namespace AutoMLGpt.Tests.Server;

/// <summary>
/// <c>Training:Isolation=ChildProcess</c>: the app trains in its own child process under a memory limit. A job that
/// breaks the limit fails with the reason while the app keeps serving, and the next job trains in a new child.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Process)]
public sealed class ChildProcessTrainingTests
{
    [Fact]
    public async Task ATrainerOverItsMemoryLimitFailsItsJobNotTheAppAndTheNextJobTrainsAndTheAppLearnsFromIt()
    {
        var folder = Directory.CreateTempSubdirectory("automlgpt-child-").FullName;
        try
        {
            var settings = new Dictionary<string, string?>
            {
                ["Training:Isolation"] = "ChildProcess", ["Training:ChildMemoryMegabytes"] = "300", ["Training:PollSeconds"] = "0.5",
                ["Training:CheckpointSeconds"] = "0.5", ["Database:DataDirectory"] = folder,
            };
            var app = AppFixture.StartApp(folder, out var url, settings);
            await using var db = await TestDatabase.CreateAsync(folder, settings: settings); // the same database, to upload and queue
            var service = app.Services.GetRequiredService<TrainingService>();

            var big = await TrainingServiceTests.ExperimentFromCsvAsync(db, WorkerTests.SyntheticCsv(folder, 500_000), "large synthetic");
            var job = await service.EnqueueAsync(big);
            TrainingJobView? done = null;
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(240)))
                await foreach (var view in service.FollowAsync(job, cancellationToken: timeout.Token)) done = view;
            Assert.Equal(RunStatus.Failed, done!.Status);
            Assert.Matches("memory", done.Error);
            var firstError = done.Error;
            var row = (await app.Services.GetRequiredService<TrainingJobStore>().FindAsync(job))!;
            Assert.NotEqual(TrainingJobStore.ThisProcess, row.ClaimedBy); // it ran in the child

            using var http = new HttpClient();
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(url + "/history")).StatusCode); // the app is up

            var small = await TrainingServiceTests.ExperimentFromUploadAsync(db, "breast_cancer_wisconsin");
            var next = await service.EnqueueAsync(small);
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
                await foreach (var view in service.FollowAsync(next, cancellationToken: timeout.Token)) done = view;
            Assert.True(done.Status == RunStatus.Succeeded, $"{done.Status}: {done.Error}\n" + string.Join("\n", app.Logs.Entries.Where(e => e.Category.Contains("ChildWorker")).Select(e => e.Message).TakeLast(40)));

            // The child's run reaches this process's knowledge (stage C learns from it) without a restart.
            var knowledge = app.Services.GetRequiredService<AutoMLGpt.Core.Knowledge.KnowledgeBase>();
            await Eventually.UntilAsync(() => knowledge.Records.Any(r => r.Source == "training"), TimeSpan.FromSeconds(10), "the child's run to reach the app's knowledge base");
            Assert.Contains(knowledge.Records, r => r.Source == "training" && r.Dataset == "breast_cancer_wisconsin");

            // Stopping the app stops its child.
            var child = ChildPid((await app.Services.GetRequiredService<TrainingJobStore>().FindAsync(next))!.ClaimedBy!);
            await app.DisposeAsync();
            Assert.True(await ProcFs.ExitsWithinAsync(child, TimeSpan.FromSeconds(20)), $"child {child} still runs after the app stopped");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(folder, true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// What <c>dotnet run --project AutoMLGpt.Web</c> does with its shipped settings: training runs in the app's own
    /// child process (not in the web process), and the child ends when the app is killed.
    /// </summary>
    [Fact]
    public async Task ByDefaultTheAppTrainsInItsOwnChildProcessWhichEndsWithTheApp()
    {
        var folder = Directory.CreateTempSubdirectory("automlgpt-default-child-").FullName;
        try
        {
            var settings = new Dictionary<string, string?>
            {
                ["Training:Isolation"] = null, // the app's own default
                ["ConnectionStrings:AutoMLGpt"] = TestDatabase.ConnectionStringFor(folder), ["Database:DataDirectory"] = folder,
                ["Training:PollSeconds"] = "0.5", ["Training:CheckpointSeconds"] = "0.5",
            };
            using var web = await WebProcess.StartAsync(settings);
            await using var db = await TestDatabase.CreateAsync(folder, settings: new Dictionary<string, string?> { ["Database:DataDirectory"] = folder }); // the same database and data folder, to upload and queue
            var experiment = await TrainingServiceTests.ExperimentFromUploadAsync(db, "breast_cancer_wisconsin");
            var job = await db.Services.GetRequiredService<TrainingService>().EnqueueAsync(experiment); // this service is not started: it only queues
            var store = db.Services.GetRequiredService<TrainingJobStore>();
            AutoMLGpt.Core.Experiments.TrainingJobEntity? row = null;
            await Eventually.UntilAsync(async () => (row = await store.FindAsync(job))?.Status is RunStatus.Succeeded or RunStatus.Failed, TimeSpan.FromSeconds(120),
                "the child worker to finish the job", () => Task.FromResult(web.Output));
            Assert.True(row!.Status == RunStatus.Succeeded, $"{row.Status}: {row.Error}\n{web.Output}");
            var child = ChildPid(row.ClaimedBy!);
            Assert.NotEqual(web.Id, child);
            Assert.Equal(web.Id, ProcFs.ParentOf(child)); // the web app's own child
            web.Kill(); // SIGKILL: the child notices its parent is gone
            Assert.True(await ProcFs.ExitsWithinAsync(child, TimeSpan.FromSeconds(20)), $"child {child} outlived the killed app");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(folder, true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// Stopping the app asks its child to stop (SIGTERM), not kills it: the child saves its running job and, since the
    /// job has a model checkpoint, queues it again to continue at the next start.
    /// </summary>
    [Fact]
    public async Task StoppingTheAppStopsItsChildGracefullyAndTheRunningJobIsQueuedAgainFromItsCheckpoint()
    {
        var folder = Directory.CreateTempSubdirectory("automlgpt-child-stop-").FullName;
        try
        {
            var settings = new Dictionary<string, string?>
            {
                ["Training:Isolation"] = "ChildProcess", ["Training:PollSeconds"] = "0.5", ["Training:CheckpointSeconds"] = "0.5",
                ["Training:ModelCheckpointSeconds"] = "1", ["Training:Threads"] = "1", ["Database:DataDirectory"] = folder,
            };
            var app = AppFixture.StartApp(folder, out _, settings);
            await using var db = await TestDatabase.CreateAsync(folder, settings: settings);
            var experiment = await TrainingServiceTests.ExperimentFromCsvAsync(db, WorkerTests.SyntheticCsv(folder, 200_000), "large synthetic");
            var job = await app.Services.GetRequiredService<TrainingService>().EnqueueAsync(experiment);
            var store = db.Services.GetRequiredService<TrainingJobStore>();
            AutoMLGpt.Core.Experiments.TrainingJobEntity? row = null;
            await Eventually.UntilAsync(async () => (row = await store.FindAsync(job))?.CheckpointJson is not null, TimeSpan.FromSeconds(240),
                "the child's first model checkpoint", () => Task.FromResult($"{row?.Status} {row?.Error}\n{row?.Log}"));
            var child = ChildPid(row!.ClaimedBy!);

            await app.DisposeAsync();
            Assert.True(await ProcFs.ExitsWithinAsync(child, TimeSpan.FromSeconds(20)), $"child {child} still runs after the app stopped");
            var stopped = (await store.FindAsync(job))!;
            Assert.Equal(RunStatus.Queued, stopped.Status);
            Assert.Null(stopped.ClaimedBy);
            Assert.Contains("queued again to continue from its last model checkpoint", stopped.Log);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(folder, true); } catch (IOException) { }
        }
    }

    private static int ChildPid(string claimedBy) => int.Parse(claimedBy[(claimedBy.LastIndexOf(':') + 1)..]);
}
