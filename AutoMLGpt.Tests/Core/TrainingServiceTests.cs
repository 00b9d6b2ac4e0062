using Microsoft.Extensions.Time.Testing;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Engines.Offline;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.Training;
using AutoMLGpt.Core.TrainingJobs;
using AutoMLGpt.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using AutoMLGpt.Core.Knowledge.Catalogue;

namespace AutoMLGpt.Tests.Core;

[Trait(TestCategory.Name, TestCategory.Training)]
public class TrainingServiceTests
{
    private static readonly OfflineEngine Offline = new(new OfflineEngineOptions { StreamDelayMilliseconds = 0 });

    /// <summary>Uploads a shared dataset the way the page does, profiles it, runs the pipeline, returns the experiment.</summary>
    internal static Task<Guid> ExperimentFromUploadAsync(TestDatabase db, string dataset, ModelCard? model = null) =>
        ExperimentFromCsvAsync(db, SharedData.Csv(dataset), dataset, model);

    /// <summary>The same from any CSV file (e.g. a generated table larger than the shared ones).</summary>
    internal static async Task<Guid> ExperimentFromCsvAsync(TestDatabase db, string path, string dataset, ModelCard? model = null)
    {
        var folders = db.Services.GetRequiredService<DataFolders>();
        string file;
        await using (var source = File.OpenRead(path))
            file = await folders.SaveUploadAsync(source, 50_000_000, CancellationToken.None);
        var profile = DataProfiler.Profile(CsvReader.Read(folders.DatasetPath(file)));
        var cards = new ExperimentCards(profile.ToDataCard(dataset), model ?? ModelCatalogue.LightGbm.TemplateCard(), new ExperimentRequest { Resources = "CPU only, 2 cores" });
        var plan = await db.Runner.PlanFirstRunAsync(cards, Offline, datasetFile: file);
        await foreach (var _ in db.Runner.RunAsync(plan, CancellationToken.None)) { }
        return plan.ExperimentId;
    }

    internal static async Task<TrainingJobView> WaitAsync(TrainingService service, Guid job, Func<TrainingJobView, bool> until, int seconds = 60)
    {
        for (var i = 0; i < seconds * 20; i++)
        {
            var view = await service.GetAsync(job);
            if (view is not null && until(view)) return view;
            await Task.Delay(50);
        }
        var last = await service.GetAsync(job);
        throw new TimeoutException($"job {job} did not reach the expected state; it is {last?.Status}, log ends: {last?.Log[^Math.Min(last.Log.Length, 1500)..]}");
    }

    [Fact]
    public async Task AQueuedJobTrainsTheRecommendedConfigurationAndSavesMetricsLogAndModel()
    {
        await using var db = await TestDatabase.CreateAsync();
        var service = db.Services.GetRequiredService<TrainingService>();
        var queue = db.Services.GetRequiredService<TrainingQueue>();
        await queue.StartAsync(CancellationToken.None);
        var experiment = await ExperimentFromUploadAsync(db, "breast_cancer_wisconsin");

        var job = await service.EnqueueAsync(experiment);
        var done = await WaitAsync(service, job, j => j.Status is not (RunStatus.Queued or RunStatus.Running));
        Assert.Equal(RunStatus.Succeeded, done.Status);
        Assert.Equal("AUC", done.MetricName);
        Assert.InRange(done.RealFinal!.Value, 0.95, 1.0);
        Assert.Equal(done.Result!.Test.Auc, done.RealFinal);
        Assert.NotNull(done.PredictedFinal); // stage D predicted AUC too, so the gap can be shown
        Assert.True(done.Curve.Count >= 10);
        Assert.Contains("valid_1's auc", done.Log);
        Assert.True(done.HasModel);
        Assert.NotNull(done.HeartbeatUtc);
        Assert.Contains("FastTree", done.Result.BaselineTrainer);
        // The run joins the experience store, now and after a restart.
        var knowledge = db.Services.GetRequiredService<AutoMLGpt.Core.Knowledge.KnowledgeBase>();
        var learned = Assert.Single(knowledge.Records, r => r.Source == "training");
        Assert.Equal("breast_cancer_wisconsin", learned.Dataset);
        Assert.Equal(done.RealFinal, learned.Score);
        var reloaded = Assert.Single(await service.ExperiencesAsync(CancellationToken.None));
        Assert.Equal(learned.Hyperparameters, reloaded.Hyperparameters);
        Assert.InRange(done.Result.Baseline!.Auc!.Value, 0.9, 1.0);
        await queue.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task WithSignInOnARunTeachesTheTeamItsNumbersButNotItsDatasetName()
    {
        await using var db = await TestDatabase.CreateAsync(configure: s => s.AddSingleton(new AutoMLGpt.Core.Access.TeamSignInOptions { Enabled = true }));
        var service = db.Services.GetRequiredService<TrainingService>();
        var queue = db.Services.GetRequiredService<TrainingQueue>();
        await queue.StartAsync(CancellationToken.None);
        var experiment = await ExperimentFromUploadAsync(db, "breast_cancer_wisconsin");

        var done = await WaitAsync(service, await service.EnqueueAsync(experiment), j => j.Status is not (RunStatus.Queued or RunStatus.Running));
        Assert.Equal(RunStatus.Succeeded, done.Status);
        var knowledge = db.Services.GetRequiredService<AutoMLGpt.Core.Knowledge.KnowledgeBase>();
        var learned = Assert.Single(knowledge.Records, r => r.Source == "training");
        Assert.StartsWith($"team run {experiment.ToString("N")[..8]}", learned.Dataset);
        Assert.DoesNotContain("breast", learned.Dataset, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(done.RealFinal, learned.Score); // the numbers still transfer
        Assert.Equal(learned.Dataset, Assert.Single(await service.ExperiencesAsync(CancellationToken.None)).Dataset); // and after a restart
        await queue.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task ARaceTrainsEveryPlannedCandidateOnOneSplitKeepsTheBestOnValidationAndAddsAPartialMatrixRow()
    {
        await using var db = await TestDatabase.CreateAsync();
        var service = db.Services.GetRequiredService<TrainingService>();
        var queue = db.Services.GetRequiredService<TrainingQueue>();
        await queue.StartAsync(CancellationToken.None);
        var experiment = await ExperimentFromUploadAsync(db, "pima_indians_diabetes");
        var card = (await db.Store.GetAsync(experiment))!.Cards.Data;
        var preview = service.PreviewRace(card);
        Assert.NotNull(preview);
        Assert.Equal(8, preview.Candidates.Count);
        Assert.True(preview.EstimatedSeconds > 0);

        var job = await service.EnqueueAsync(experiment, mode: TrainingModes.Race);
        var done = await WaitAsync(service, job, j => j.Status is not (RunStatus.Queued or RunStatus.Running), seconds: 180);
        Assert.Equal(RunStatus.Succeeded, done.Status);
        Assert.Equal(TrainingModes.Race, done.Mode);
        var race = done.Result!.Race;
        Assert.Equal(preview.Candidates.Select(c => c.Candidate.Id), race.Select(r => r.Candidate));
        var winner = Assert.Single(race, r => r.Winner);
        Assert.Equal(race.Max(r => r.Valid), winner.Valid); // AUC: higher is better
        // The race ends with its ensemble when the rule keeps it (bagged on this small table), else its winner.
        var ensemble = Assert.IsType<RaceEnsembleResult>(done.Result.Ensemble);
        Assert.True(ensemble.Bagged);
        Assert.Equal(ensemble.Kept ? ensemble.Test.Get(card.PrimaryMetric) : winner.Test, done.RealFinal);
        Assert.Contains(ensemble.Kept ? "Ensemble kept:" : "Ensemble not kept:", done.Log);
        // Every candidate's curve is kept, tagged with its id, for the chart.
        Assert.Equal(race.Select(r => (string?)r.Candidate).ToHashSet(), done.Curve.Select(c => c.Candidate).ToHashSet());
        Assert.True(done.HasModel);
        var learned = Assert.Single(db.Services.GetRequiredService<AutoMLGpt.Core.Knowledge.KnowledgeBase>().Records, r => r.Source == "training");
        // Candidates cut short by successive halving would understate themselves: only those that ran to their end join.
        Assert.Contains(winner.Candidate, learned.CandidateScores!.Keys);
        Assert.Equal(race.Where(r => r.DroppedAtIteration is null).Select(r => r.Candidate).Order(), learned.CandidateScores.Keys.Order());
        Assert.Contains(race, r => r.DroppedAtIteration is not null);
        Assert.Contains("Rung of 100 rounds", done.Log);
        // After a restart the same partial row comes back from the database.
        var reloaded = Assert.Single(await service.ExperiencesAsync(CancellationToken.None));
        Assert.Equal(learned.CandidateScores, reloaded.CandidateScores);
        await queue.StopAsync(CancellationToken.None);
    }

    /// <summary>
    /// A race whose app stops after a checkpoint is queued again and, at the next start, continues from its rungs: the
    /// log says so, and no candidate's iteration is on the curve twice.
    /// </summary>
    [Fact]
    public async Task ARaceStoppedWithItsAppContinuesFromItsCheckpointAtTheNextStart()
    {
        var folder = Directory.CreateTempSubdirectory("automlgpt-race-resume-").FullName;
        var settings = new Dictionary<string, string?> { ["Training:ModelCheckpointSeconds"] = "0.1", ["Training:CheckpointSeconds"] = "0.2" };
        try
        {
            Guid job;
            await using (var db = await TestDatabase.CreateAsync(folder, settings: settings))
            {
                var service = db.Services.GetRequiredService<TrainingService>();
                var queue = db.Services.GetRequiredService<TrainingQueue>();
                await queue.StartAsync(CancellationToken.None);
                var experiment = await ExperimentFromUploadAsync(db, "adult");
                job = await service.EnqueueAsync(experiment, mode: TrainingModes.Race);
                var store = db.Services.GetRequiredService<TrainingJobStore>();
                await Eventually.UntilAsync(async () => (await store.FindAsync(job))?.CheckpointJson is not null, TimeSpan.FromSeconds(180),
                    "the race's first checkpoint", async () => (await store.FindAsync(job))?.Log ?? "no job");
                await queue.StopAsync(CancellationToken.None); // the app stops mid-race
                var stopped = (await store.FindAsync(job))!;
                Assert.Equal(RunStatus.Queued, stopped.Status);
                Assert.Contains("queued again", stopped.Log);
            }
            await using (var db = await TestDatabase.CreateAsync(folder, settings: settings))
            {
                var service = db.Services.GetRequiredService<TrainingService>();
                var queue = db.Services.GetRequiredService<TrainingQueue>();
                await queue.StartAsync(CancellationToken.None);
                var done = await WaitAsync(service, job, j => j.Status is not (RunStatus.Queued or RunStatus.Running), seconds: 240);
                Assert.True(done.Status == RunStatus.Succeeded, $"{done.Status}: {done.Error}\n{done.Log}");
                Assert.Contains("Resumed the race from its checkpoint", done.Log);
                Assert.Equal(done.Curve.Count, done.Curve.Select(m => (m.Candidate, m.Iteration)).Distinct().Count());
                Assert.Single(done.Result!.Race, r => r.Winner);
                await queue.StopAsync(CancellationToken.None);
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(folder, true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task FollowingAJobStreamsItsChangesUntilItEndsWithoutAViewPerIteration()
    {
        await using var db = await TestDatabase.CreateAsync();
        var service = db.Services.GetRequiredService<TrainingService>();
        var queue = db.Services.GetRequiredService<TrainingQueue>();
        await queue.StartAsync(CancellationToken.None);
        var experiment = await ExperimentFromUploadAsync(db, "spambase");
        var job = await service.EnqueueAsync(experiment);
        var views = new List<TrainingJobView>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await foreach (var view in service.FollowAsync(job, TimeSpan.FromMilliseconds(100), timeout.Token)) views.Add(view);
        Assert.Equal(RunStatus.Succeeded, views[^1].Status);
        Assert.All(views[..^1], v => Assert.True(v.Status is RunStatus.Queued or RunStatus.Running));
        var iterations = views.Select(v => v.Curve.Count).ToList();
        Assert.Equal(iterations.Order(), iterations); // the curve only grows
        Assert.True(views.Count >= 3, "several live updates");
        Assert.True(views.Count < views[^1].Curve.Count, "coalesced: fewer views than iterations");
        // A finished job yields its saved state once.
        var again = new List<TrainingJobView>();
        await foreach (var view in service.FollowAsync(job)) again.Add(view);
        Assert.Equal(RunStatus.Succeeded, Assert.Single(again).Status);
        await queue.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task TrainForRealProbesTheLearningCurveFirstAndReportsAForecastWithABand()
    {
        await using var db = await TestDatabase.CreateAsync();
        var service = db.Services.GetRequiredService<TrainingService>();
        var queue = db.Services.GetRequiredService<TrainingQueue>();
        await queue.StartAsync(CancellationToken.None);
        var experiment = await ExperimentFromUploadAsync(db, "spambase");
        var job = await service.EnqueueAsync(experiment);
        var done = await WaitAsync(service, job, j => j.Status is not (RunStatus.Queued or RunStatus.Running), seconds: 120);
        Assert.Equal(RunStatus.Succeeded, done.Status);
        var probe = done.Result!.Probe;
        Assert.NotNull(probe);
        Assert.True(probe.Low <= probe.Value && probe.Value <= probe.High && probe.High - probe.Low < 0.2);
        Assert.StartsWith("probe:", probe.Basis);
        Assert.InRange(Math.Abs(probe.Value - done.RealFinal!.Value), 0, 0.05);
        Assert.Contains("Probe prediction: test accuracy", done.Log);
        Assert.True(done.Log.IndexOf("Probe prediction", StringComparison.Ordinal) < done.Log.IndexOf("[1]", StringComparison.Ordinal), "the probe runs before training");
        await queue.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task CancelStopsARunningJobWithinAnIterationAndKeepsItsLog()
    {
        await using var db = await TestDatabase.CreateAsync();
        var service = db.Services.GetRequiredService<TrainingService>();
        var queue = db.Services.GetRequiredService<TrainingQueue>();
        await queue.StartAsync(CancellationToken.None);
        var experiment = await ExperimentFromUploadAsync(db, "adult");
        var job = await service.EnqueueAsync(experiment);
        await WaitAsync(service, job, j => j.Curve.Count >= 3);
        await service.CancelAsync(job);
        var done = await WaitAsync(service, job, j => j.Status is not (RunStatus.Queued or RunStatus.Running), 10);
        Assert.Equal(RunStatus.Cancelled, done.Status);
        Assert.Contains("[3]", done.Log);
        Assert.False(done.HasModel);
        await queue.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task BadDataIsRefusedBeforeAnythingIsQueued()
    {
        await using var db = await TestDatabase.CreateAsync();
        var service = db.Services.GetRequiredService<TrainingService>();
        var offlineOnly = await db.Store.CreateAsync(PaperExamples.Adult.Create(), "offline engine");
        var ex = await Assert.ThrowsAsync<TrainingDataException>(() => service.EnqueueAsync(offlineOnly));
        Assert.Contains("no uploaded CSV", ex.Message);
        Assert.Empty(await db.Services.GetRequiredService<TrainingJobStore>().ForExperimentAsync(offlineOnly));
    }

    [Fact]
    public async Task JobsLeftRunningByAStoppedAppAreInterruptedWithTheirLogKept()
    {
        var db = await TestDatabase.CreateAsync();
        var experiment = await ExperimentFromUploadAsync(db, "titanic");
        var jobs = db.Services.GetRequiredService<TrainingJobStore>();
        var job = await jobs.CreateAsync(experiment, 1, "0123456789abcdef0123456789abcdef.csv", "accuracy", null, null, CancellationToken.None);
        await jobs.UpdateAsync(job, j => { j.Status = RunStatus.Running; j.Log = "[1]\ttraining's binary_logloss: 0.6\n"; });
        await db.CloseAsync();

        await using var cleanup = db;
        await using var restarted = await TestDatabase.CreateAsync(db.Folder, s => s.AddSingleton<TimeProvider>(new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(1))));
        var view = TrainingJobStore.ToView((await restarted.Services.GetRequiredService<TrainingJobStore>().FindAsync(job))!);
        Assert.Equal(RunStatus.Interrupted, view.Status);
        Assert.Equal("[1]\ttraining's binary_logloss: 0.6\n", view.Log);
        Assert.Contains("stopped while this run was", view.Error);
    }

    [Fact]
    public async Task UploadsGetGeneratedNamesAndOversizedOnesLeaveNothingBehind()
    {
        await using var db = await TestDatabase.CreateAsync();
        var folders = db.Services.GetRequiredService<DataFolders>();
        await Assert.ThrowsAsync<IOException>(() => folders.SaveUploadAsync(new MemoryStream(new byte[5000]), 1000, CancellationToken.None));
        Assert.Empty(Directory.GetFiles(folders.Uploads));
        Assert.Throws<ArgumentException>(() => folders.DatasetPath("../../etc/passwd"));
        Assert.Throws<ArgumentException>(() => folders.DatasetPath("CON.csv"));
        var name = await folders.SaveUploadAsync(new MemoryStream("a,b\n1,2\n"u8.ToArray()), 1000, CancellationToken.None);
        Assert.Matches("^[0-9a-f]{32}\\.csv$", name);
    }
}
