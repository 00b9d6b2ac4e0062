using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.TrainingJobs;
using AutoMLGpt.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AutoMLGpt.Tests.E2E;

/// <summary>
/// The app as a real process, killed with SIGKILL or stopped with SIGTERM while training, then restarted: what was
/// checkpointed is still there and nothing stays "running".
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public class CrashRestartTests(AppFixture app)
{
    private sealed class AppProcess(Process process, string url) : IAsyncDisposable
    {
        public string Url { get; } = url;
        public Process Process { get; } = process;

        public async ValueTask DisposeAsync()
        {
            if (!Process.HasExited) { Process.Kill(entireProcessTree: true); await Process.WaitForExitAsync(); }
            Process.Dispose();
        }
    }

    private static async Task<AppProcess> StartAsync(string dataFolder, IReadOnlyDictionary<string, string>? environment = null)
    {
        var main = Path.GetDirectoryName(Path.GetDirectoryName(SharedData.Datasets))!;
        var solution = Directory.GetDirectories(main).First(d => File.Exists(Path.Combine(d, "AutoMLGpt.Web.sln")) && AppContext.BaseDirectory.StartsWith(d, StringComparison.Ordinal));
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Directory.GetFiles(Path.Combine(solution, "AutoMLGpt.Web", "bin", configuration), "AutoMLGpt.Web.dll", SearchOption.AllDirectories).First();
        var url = $"http://127.0.0.1:{FreePort()}";
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", url])
        {
            WorkingDirectory = Path.Combine(solution, "AutoMLGpt.Web"),
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ConnectionStrings__AutoMLGpt"] = TestDatabase.ConnectionStringFor(dataFolder);
        start.Environment["Database__DataDirectory"] = dataFolder;
        start.Environment["Offline__StreamDelayMilliseconds"] = "1";
        start.Environment["Training__CheckpointSeconds"] = "1";
        start.Environment["Training__Threads"] = "1"; // slower training leaves time to interrupt it
        start.Environment["Runs__WarmUpAtStart"] = "false"; // these processes test crashes; the warm-up is tested on its own
        start.Environment["Runs__StaleAfterSeconds"] = "5"; // the restart interrupts the killed process's runs 5 s after its last heartbeat
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient();
        for (var i = 0; i < 300; i++)
        {
            try { if ((await http.GetAsync(url + "/history")).StatusCode == HttpStatusCode.OK) return new AppProcess(process, url); }
            catch (HttpRequestException) { }
            if (process.HasExited) throw new InvalidOperationException($"The app exited with {process.ExitCode}.");
            await Task.Delay(100);
        }
        throw new TimeoutException("The app did not start within 30 s.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Uploads Adult, runs the pipeline, starts training and waits for logged iterations past a checkpoint.</summary>
    private async Task<IPage> TrainingUnderWayAsync(string url, string dataFolder)
    {
        var context = await app.Browser.NewContextAsync(); // own cookies: each app process is a different server
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        var experiment = new NewExperimentPage(page, url);
        await experiment.OpenAsync();
        await experiment.UploadAsync(SharedData.Csv("adult"));
        await Expect(experiment.DatasetProfile).ToContainTextAsync("48,842 rows", new() { Timeout = 120_000 });
        await experiment.Requests.FillAsync("higher accuracy");
        await experiment.RunAsync();
        await experiment.WaitForAllStagesAsync();
        var saved = await experiment.OpenSavedAsync();
        await saved.StartTrainingAsync();
        await Expect(saved.RealLog).ToContainTextAsync("training's binary_logloss", new() { Timeout = 240_000 }); // the log shows its tail: any iteration line (after the probe)
        // Past one checkpoint: the database holds logged iterations, so a crash from here must keep them.
        await Eventually.UntilAsync(async () =>
        {
            await using var db = await TestDatabase.CreateAsync(dataFolder);
            return (await db.Store.ListAsync()) is [var only]
                && (await db.Services.GetRequiredService<TrainingJobStore>().ForExperimentAsync(only.Id)) is [{ } job]
                && job.Log.Contains("training's binary_logloss", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(60), "a checkpoint of the training log in the database");
        return page;
    }

    /// <summary>The restarted app interrupts the dead process's runs once their heartbeat is stale; wait for its sweep.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var waited = Stopwatch.StartNew(); waited.Elapsed < TimeSpan.FromSeconds(60); await Task.Delay(250))
            if (await condition()) return;
        Assert.Fail("the restarted app did not interrupt the abandoned runs within 60 s");
    }

    private static async Task<TrainingJobView> OnlyJobAsync(string dataFolder, bool untilSettled = false)
    {
        await using var db = await TestDatabase.CreateAsync(dataFolder);
        var jobStore = db.Services.GetRequiredService<TrainingJobStore>();
        if (untilSettled)
            await WaitUntilAsync(async () => (await db.Store.ListAsync()) is [var only] && (await jobStore.ForExperimentAsync(only.Id)) is [{ Status: not (RunStatus.Running or RunStatus.Queued) }]);
        var experiments = await db.Store.ListAsync();
        Assert.DoesNotContain(experiments, e => e.Status == RunStatus.Running);
        var jobs = await db.Services.GetRequiredService<TrainingJobStore>().ForExperimentAsync(Assert.Single(experiments).Id);
        return Assert.Single(jobs);
    }

    [Fact]
    public async Task ASigkillDuringTrainingKeepsTheCheckpointedLogAndTheRestartMarksItInterrupted()
    {
        var folder = Directory.CreateTempSubdirectory("automlgpt-kill-").FullName;
        try
        {
            await using (var first = await StartAsync(folder))
            {
                var page = await TrainingUnderWayAsync(first.Url, folder);
                first.Process.Kill(entireProcessTree: true); // SIGKILL: no finally blocks, no shutdown
                await first.Process.WaitForExitAsync();
                await page.Context.CloseAsync();
            }
            await using (await StartAsync(folder)) // the restart is what marks abandoned runs
            {
                var job = await OnlyJobAsync(folder, untilSettled: true);
                Assert.Equal(RunStatus.Interrupted, job.Status);
                Assert.Contains("[1]\ttraining's binary_logloss", job.Log); // checkpointed before the kill
                Assert.Contains("stopped while this run was", job.Error);
            }
        }
        finally { Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools(); Directory.Delete(folder, true); }
    }

    [Fact]
    public async Task ASigkillDuringAnLlmStreamKeepsAllButTheLastTwoSecondsAndTheRestartMarksItInterrupted()
    {
        var folder = Directory.CreateTempSubdirectory("automlgpt-kill-llm-").FullName;
        await using var fake = await FakeOpenAiServer.StartAsync();
        // Stage A streams 150 numbered chunks, one every 100 ms: 15 s of answer.
        fake.Enqueue(new FakeReply { Chunks = Enumerable.Range(0, 150).Select(i => $"# chunk {i:000}\n").ToList(), ChunkDelayMilliseconds = 100 });
        var llm = new Dictionary<string, string>
        {
            ["Llm__Provider"] = "OpenAI", ["Llm__Model"] = "fake-model", ["Llm__Endpoint"] = fake.Endpoint, ["Llm__ApiKey"] = "sk-test-not-a-key",
        };
        try
        {
            int sentBeforeKill;
            await using (var first = await StartAsync(folder, llm))
            {
                var context = await app.Browser.NewContextAsync();
                var page = await context.NewPageAsync();
                var experiment = new NewExperimentPage(page, first.Url);
                await experiment.OpenAsync("?example=adult-xgboost");
                await experiment.RunAsync();
                await Expect(experiment.Stage("DataProcessing")).ToContainTextAsync("chunk 040", new() { Timeout = 30_000 });
                sentBeforeKill = Volatile.Read(ref fake.ChunksSent);
                first.Process.Kill(entireProcessTree: true); // SIGKILL mid-answer
                await first.Process.WaitForExitAsync();
                await context.CloseAsync();
            }
            await using (await StartAsync(folder, llm))
            {
                await using var db = await TestDatabase.CreateAsync(folder);
                await WaitUntilAsync(async () => (await db.Store.ListAsync()).All(e => e.Status != RunStatus.Running));
                var experiment = Assert.Single(await db.Store.ListAsync());
                Assert.Equal(RunStatus.Interrupted, experiment.Status);
                var saved = (await db.Store.GetAsync(experiment.Id))!;
                var stage = saved.Stage(StageKind.DataProcessing)!;
                Assert.Equal(RunStatus.Interrupted, stage.Status);
                var kept = System.Text.RegularExpressions.Regex.Matches(stage.Output.Text, "chunk \\d{3}").Count;
                // Checkpoints every 2 s: at most 2 s of chunks (20 at 100 ms) plus the one in flight may be lost.
                Assert.InRange(kept, sentBeforeKill - 21, sentBeforeKill);
                Assert.DoesNotContain(saved.Stages, s => s.Status == RunStatus.Running);
            }
        }
        finally { Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools(); Directory.Delete(folder, true); }
    }

    [Fact]
    public async Task ASigtermDuringAnLlmStreamEndsTheRunInterruptedWithItsTextKept()
    {
        var folder = Directory.CreateTempSubdirectory("automlgpt-term-llm-").FullName;
        await using var fake = await FakeOpenAiServer.StartAsync();
        fake.Enqueue(new FakeReply { Chunks = Enumerable.Range(0, 150).Select(i => $"# chunk {i:000}\n").ToList(), ChunkDelayMilliseconds = 100 });
        var llm = new Dictionary<string, string>
        {
            ["Llm__Provider"] = "OpenAI", ["Llm__Model"] = "fake-model", ["Llm__Endpoint"] = fake.Endpoint, ["Llm__ApiKey"] = "sk-test-not-a-key",
        };
        try
        {
            await using (var first = await StartAsync(folder, llm))
            {
                var context = await app.Browser.NewContextAsync(); // the tab stays open: only the app stopping ends the run
                var page = await context.NewPageAsync();
                var experiment = new NewExperimentPage(page, first.Url);
                await experiment.OpenAsync("?example=adult-xgboost");
                await experiment.RunAsync();
                await Expect(experiment.Stage("DataProcessing")).ToContainTextAsync("chunk 030", new() { Timeout = 30_000 });
                Process.Start("kill", ["-TERM", first.Process.Id.ToString()])!.WaitForExit();
                await first.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(40));
                await context.CloseAsync();
            }
            // No restart: the stopping app wrote the end itself.
            await using var db = await TestDatabase.CreateAsync(folder);
            var saved = (await db.Store.GetAsync(Assert.Single(await db.Store.ListAsync()).Id))!;
            Assert.Equal(RunStatus.Interrupted, saved.Status);
            Assert.Contains("app stopped", saved.Error);
            var stage = saved.Stage(StageKind.DataProcessing)!;
            Assert.Equal(RunStatus.Interrupted, stage.Status);
            Assert.Contains("chunk 030", stage.Output.Text);
        }
        finally { Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools(); Directory.Delete(folder, true); }
    }

    [Fact]
    public async Task ASigtermDuringTrainingLeavesNothingRunningAndKeepsTheLog()
    {
        var folder = Directory.CreateTempSubdirectory("automlgpt-term-").FullName;
        try
        {
            await using (var first = await StartAsync(folder))
            {
                var page = await TrainingUnderWayAsync(first.Url, folder);
                // Close the tab first: an open circuit holds Kestrel until the 30 s shutdown timeout. Training goes on without it.
                await page.Context.CloseAsync();
                Process.Start("kill", ["-TERM", first.Process.Id.ToString()])!.WaitForExit();
                await first.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
            var job = await OnlyJobAsync(folder);
            // The job writes its own end on the way down: interrupted if the stop caught it, succeeded if it had just finished.
            Assert.Contains(job.Status, new[] { RunStatus.Interrupted, RunStatus.Succeeded });
            Assert.Contains("[1]\ttraining's binary_logloss", job.Log);
            if (job.Status == RunStatus.Interrupted) Assert.Contains("The app stopped during training", job.Log);
        }
        finally { Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools(); Directory.Delete(folder, true); }
    }
}
