using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.TrainingJobs;
using AutoMLGpt.Tests.Core;
using AutoMLGpt.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;

namespace AutoMLGpt.Tests.Server;

/// <summary>
/// Training beyond the web process: jobs are claimed from the database with a lease (one claimer wins; PostgreSQL
/// <c>SKIP LOCKED</c>, SQLite one write), and a separate <c>AutoMLGpt.Worker</c> process trains what a web node queued
/// while the node follows it from the database.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Process)]
public sealed class WorkerTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static async Task<IReadOnlyList<Guid>> QueueAsync(TestDatabase db, int count)
    {
        var experiment = await db.Store.CreateAsync(PaperExamples.Adult.Create(), "offline engine");
        var jobs = db.Services.GetRequiredService<TrainingJobStore>();
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++) ids.Add(await jobs.CreateAsync(experiment, 1, "x.csv", "accuracy", null, null, CancellationToken.None));
        return ids;
    }

    /// <summary>Three runners claim at once until the queue is empty: every job exactly once, oldest first.</summary>
    private static async Task ConcurrentClaimsTakeEachJobOnceAsync(TestDatabase db)
    {
        var queued = await QueueAsync(db, 9);
        var jobs = db.Services.GetRequiredService<TrainingJobStore>();
        async Task<List<Guid>> Runner(string name)
        {
            var mine = new List<Guid>();
            while (await jobs.ClaimNextAsync(name) is { } id) mine.Add(id);
            return mine;
        }
        var claims = await Task.WhenAll(Runner("a"), Runner("b"), Runner("c"));
        var all = claims.SelectMany(c => c).ToList();
        Assert.Equal(queued.Order(), all.Order());           // each queued job claimed, none twice
        Assert.Equal(9, all.Distinct().Count());
        foreach (var (runner, mine) in new[] { "a", "b", "c" }.Zip(claims))
            foreach (var id in mine)
            {
                var row = (await jobs.FindAsync(id))!;
                Assert.Equal(RunStatus.Running, row.Status);
                Assert.Equal(runner, row.ClaimedBy);
            }
        Assert.Null(await jobs.ClaimNextAsync("late"));
    }

    [Fact]
    public async Task ConcurrentRunnersClaimEachQueuedJobExactlyOnceOnPostgreSql()
    {
        await using var db = await TestDatabase.CreateAsync(settings: await postgres.SettingsAsync());
        await ConcurrentClaimsTakeEachJobOnceAsync(db);
    }

    [Fact]
    public async Task ConcurrentRunnersClaimEachQueuedJobExactlyOnceOnSqlite()
    {
        await using var db = await TestDatabase.CreateAsync();
        await ConcurrentClaimsTakeEachJobOnceAsync(db);
    }

    [Fact]
    public async Task AWorkerProcessTrainsWhatAWebNodeQueuedAndTheNodeFollowsItFromTheDatabase()
    {
        var shared = Directory.CreateTempSubdirectory("automlgpt-shared-data-").FullName; // the uploads both see
        var settings = await postgres.SharedSettingsAsync(shared);
        try
        {
            // The "web node": queues and follows, trains nothing itself.
            await using var web = await TestDatabase.CreateAsync(settings: new Dictionary<string, string?>(settings) { ["Training:RunJobs"] = "false" });
            await StartHeartbeatsAsync(web); // as a web node does: its queued jobs stay alive until a runner claims them
            var service = web.Services.GetRequiredService<TrainingService>();
            var queue = web.Services.GetRequiredService<TrainingQueue>();
            await queue.StartAsync(CancellationToken.None);
            var experiment = await TrainingServiceTests.ExperimentFromUploadAsync(web, "breast_cancer_wisconsin");

            using var worker = WorkerProcess.Start(new Dictionary<string, string?>(settings) { ["Training:RunJobs"] = "true", ["Training:PollSeconds"] = "0.5" });
            var job = await service.EnqueueAsync(experiment);

            var seen = new List<TrainingJobView>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            try { await foreach (var view in service.FollowAsync(job, cancellationToken: timeout.Token)) seen.Add(view); }
            catch (OperationCanceledException) { Assert.Fail($"The job did not finish in 120 s; worker output:\n{worker.Output}"); }

            var done = seen[^1];
            Assert.True(done.Status == RunStatus.Succeeded, $"{done.Status}: {done.Error}\nworker output:\n{worker.Output}");
            Assert.InRange(done.RealFinal!.Value, 0.9, 1.0);
            Assert.True(done.HasModel);
            var row = (await web.Services.GetRequiredService<TrainingJobStore>().FindAsync(job))!;
            Assert.Equal($"{Environment.MachineName}:{worker.Id}", row.ClaimedBy); // trained by the worker, not here
            Assert.NotEqual(TrainingJobStore.ThisProcess, row.ClaimedBy);
            Assert.Contains(seen, v => v.Status == RunStatus.Queued || v.Status == RunStatus.Running);
            Assert.Contains("tree", await web.Services.GetRequiredService<TrainingJobStore>().ModelTextAsync(row, web.Services.GetRequiredService<DataFolders>())); // in the database, for any node
            await queue.StopAsync(CancellationToken.None);
        }
        finally
        {
            try { Directory.Delete(shared, true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task CancelOnTheWebNodeStopsTheJobTheWorkerRunsAndAKilledWorkersJobIsInterruptedNotLeftRunning()
    {
        var shared = Directory.CreateTempSubdirectory("automlgpt-shared-data-").FullName;
        var settings = WithShortLease(await postgres.SharedSettingsAsync(shared));
        try
        {
            await using var web = await TestDatabase.CreateAsync(settings: new Dictionary<string, string?>(settings) { ["Training:RunJobs"] = "false" });
            await StartHeartbeatsAsync(web); // as a web node does: its queued jobs stay alive until a runner claims them
            var service = web.Services.GetRequiredService<TrainingService>();
            var experiment = await TrainingServiceTests.ExperimentFromUploadAsync(web, "adult");
            using var worker = WorkerProcess.Start(new Dictionary<string, string?>(settings) { ["Training:PollSeconds"] = "0.5" });

            // Cancel pressed on the node that queued it: the worker stops at its next checkpoint.
            var job = await service.EnqueueAsync(experiment);
            TrainingJobView? last = null;
            var asked = false;
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
                await foreach (var view in service.FollowAsync(job, cancellationToken: timeout.Token))
                {
                    if (view.Status == RunStatus.Running && !asked) { await service.CancelAsync(job); asked = true; }
                    last = view;
                }
            Assert.True(last!.Status == RunStatus.Cancelled, $"{last.Status}: {last.Error}\n{worker.Output}");

            // A worker killed mid-run (a native crash, the OOM killer): the node stays up and the job goes stale.
            var second = await service.EnqueueAsync(experiment);
            var jobs = web.Services.GetRequiredService<TrainingJobStore>();
            await Eventually.UntilAsync(async () => (await jobs.FindAsync(second))!.Status == RunStatus.Running, TimeSpan.FromSeconds(60),
                "the worker to start the second job", () => Task.FromResult(worker.Output));
            worker.Kill();
            var heartbeats = web.Services.GetRequiredService<AutoMLGpt.Core.Experiments.RunHeartbeatService>();
            TrainingJobEntityStatus status = default;
            for (var i = 0; i < 100; i++)
            {
                await heartbeats.BeatAndSweepAsync(CancellationToken.None);
                var row = (await jobs.FindAsync(second))!;
                status = new(row.Status, row.Error);
                if (row.Status != RunStatus.Running) break;
                await Task.Delay(200);
            }
            Assert.Equal(RunStatus.Interrupted, status.Status);
            Assert.Contains("log up to then is kept", status.Error);
        }
        finally
        {
            try { Directory.Delete(shared, true); } catch (IOException) { }
        }
    }

    /// <summary>A runner's lease (its heartbeat) runs out after 10 s: short, but a loaded CI machine can delay a beat by seconds.</summary>
    private static Dictionary<string, string?> WithShortLease(Dictionary<string, string?> settings)
    {
        settings["Runs:StaleAfterSeconds"] = "10";
        settings["Runs:HeartbeatSeconds"] = "1";
        return settings;
    }

    /// <summary>A binary table large enough that training takes tens of seconds on one thread (200,000 rows).</summary>
    internal static string SyntheticCsv(string folder, int rows)
    {
        var path = Path.Combine(folder, "synthetic.csv");
        var random = new Random(11);
        using var writer = new StreamWriter(path);
        writer.WriteLine("x1,x2,x3,x4,x5,x6,city,label");
        for (var r = 0; r < rows; r++)
        {
            var x = Enumerable.Range(0, 6).Select(_ => random.NextDouble() * 2 - 1).ToArray();
            var city = random.Next(4);
            var y = 1.5 * x[0] - x[1] * x[2] + Math.Sin(3 * x[3]) + (city == 2 ? 0.6 : 0) + (random.NextDouble() < 0.1 ? random.NextDouble() * 4 - 2 : 0) > 0.2 ? 1 : 0;
            writer.WriteLine(string.Join(',', x.Select(v => v.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture))) + $",c{city},{y}");
        }
        return path;
    }

    [Fact]
    public async Task AJobWhoseWorkerDiesContinuesOnAnotherWorkerFromItsLastModelCheckpoint()
    {
        var shared = Directory.CreateTempSubdirectory("automlgpt-shared-data-").FullName;
        var settings = WithShortLease(await postgres.SharedSettingsAsync(shared));
        settings["Training:ModelCheckpointSeconds"] = "1";
        settings["Training:PollSeconds"] = "0.5";
        try
        {
            await using var web = await TestDatabase.CreateAsync(settings: new Dictionary<string, string?>(settings) { ["Training:RunJobs"] = "false" });
            await StartHeartbeatsAsync(web); // as a web node does: its queued jobs stay alive until a runner claims them
            var service = web.Services.GetRequiredService<TrainingService>();
            var jobs = web.Services.GetRequiredService<TrainingJobStore>();
            var experiment = await TrainingServiceTests.ExperimentFromCsvAsync(web, SyntheticCsv(shared, 200_000), "synthetic");

            var first = WorkerProcess.Start(settings);
            var job = await service.EnqueueAsync(experiment);
            var checkpointAt = 0;
            for (var i = 0; i < 1200 && checkpointAt == 0; i++)
            {
                var row = (await jobs.FindAsync(job))!;
                Assert.True(row.Status is RunStatus.Queued or RunStatus.Running, $"{row.Status} before any model checkpoint: {row.Error}\n{first.Output}");
                if (row.CheckpointJson is { } json) checkpointAt = System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("iteration").GetInt32();
                else await Task.Delay(100);
            }
            Assert.True(checkpointAt > 0, "no model checkpoint in 120 s:\n" + first.Output);
            first.Dispose(); // SIGKILL: a crash, not a shutdown

            // The lease runs out; the sweep puts the job back in the queue with its checkpoint, and a new worker goes on.
            var heartbeats = web.Services.GetRequiredService<AutoMLGpt.Core.Experiments.RunHeartbeatService>();
            await Eventually.UntilAsync(async () =>
            {
                await heartbeats.BeatAndSweepAsync(CancellationToken.None);
                return (await jobs.FindAsync(job))!.Status != RunStatus.Running;
            }, TimeSpan.FromSeconds(30), "the sweep to take the dead worker's job back");
            Assert.Equal(RunStatus.Queued, (await jobs.FindAsync(job))!.Status);
            using var second = WorkerProcess.Start(settings);
            TrainingJobView? done = null;
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(240)))
                await foreach (var view in service.FollowAsync(job, cancellationToken: timeout.Token)) done = view;

            Assert.True(done!.Status == RunStatus.Succeeded, $"{done.Status}: {done.Error}\n{second.Output}");
            var resumedAt = int.Parse(System.Text.RegularExpressions.Regex.Match(done.Log, @"Resumed from iteration (\d+)").Groups[1].Value);
            Assert.True(resumedAt >= checkpointAt, $"resumed at {resumedAt}, the checkpoint seen was {checkpointAt}");
            Assert.Equal($"{Environment.MachineName}:{second.Id}", (await jobs.FindAsync(job))!.ClaimedBy);
            // One curve, each iteration once, from 1 to the end: the checkpoint's part and the new part joined.
            Assert.Equal(Enumerable.Range(1, done.Curve.Count), done.Curve.Select(m => m.Iteration));
            Assert.InRange(done.RealFinal!.Value, 0.85, 1.0);
            Assert.Null((await jobs.FindAsync(job))!.CheckpointJson); // the model file is the result now
        }
        finally
        {
            try { Directory.Delete(shared, true); } catch (IOException) { }
        }
    }

    private static Task StartHeartbeatsAsync(TestDatabase node) =>
        node.Services.GetRequiredService<AutoMLGpt.Core.Experiments.RunHeartbeatService>().StartAsync(CancellationToken.None);

    private readonly record struct TrainingJobEntityStatus(RunStatus Status, string? Error);
}
