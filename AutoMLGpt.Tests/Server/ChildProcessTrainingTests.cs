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
public sealed class ChildProcessTrainingTests
{
    [Fact]
    public async Task ATrainerOverItsMemoryLimitFailsItsJobNotTheAppAndTheNextJobTrains()
    {
        var folder = Directory.CreateTempSubdirectory("automlgpt-child-").FullName;
        try
        {
            var settings = new Dictionary<string, string?>
            {
                ["Training:Isolation"] = "ChildProcess", ["Training:ChildMemoryMegabytes"] = "300", ["Training:PollSeconds"] = "0.5",
                ["Training:CheckpointSeconds"] = "0.5", ["Database:DataDirectory"] = folder,
            };
            await using var app = AppFixture.StartApp(folder, out var url, settings);
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
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(folder, true); } catch (IOException) { }
        }
    }
}
