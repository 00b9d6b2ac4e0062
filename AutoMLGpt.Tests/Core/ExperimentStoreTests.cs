using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Engines.Offline;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Persistence;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Tests.Fakes;
using Microsoft.EntityFrameworkCore;

namespace AutoMLGpt.Tests.Core;

[Trait(TestCategory.Name, TestCategory.Fast)]
public class ExperimentStoreTests
{
    [Fact]
    public async Task TheHistoryFilterListsEachEngineOnceInOrder()
    {
        await using var db = await TestDatabase.CreateAsync();
        foreach (var engine in new[] { "offline engine", "OpenAI gpt-4o-mini", "offline engine", "Azure gpt-4o" })
            await db.Store.CreateAsync(PaperExamples.Coco.Create(), engine);
        Assert.Equal(["Azure gpt-4o", "OpenAI gpt-4o-mini", "offline engine"], await db.Store.EnginesAsync());
    }

    [Fact]
    public async Task ARunIsSavedWithItsCardsPromptStagesAndStatusAndReadsBackIdentically()
    {
        await using var db = await TestDatabase.CreateAsync();
        var cards = PaperExamples.Coco.Create();
        var engine = new OfflineEngine(new OfflineEngineOptions { StreamDelayMilliseconds = 0 });
        var plan = await db.Runner.PlanFirstRunAsync(cards, engine);
        var id = plan.ExperimentId;
        var live = new Dictionary<StageKind, StageOutput>();
        await foreach (var u in db.Runner.RunAsync(plan, CancellationToken.None))
            if (u.Output is { } o) live[u.Stage] = o;

        var saved = await db.Store.GetAsync(id);
        Assert.NotNull(saved);
        Assert.Equal(RunStatus.Succeeded, saved.Status);
        Assert.Equal("offline engine", saved.Engine);
        Assert.Equal(PromptParagraph.Compose(cards), saved.PromptParagraph);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(cards), System.Text.Json.JsonSerializer.Serialize(saved.Cards));
        Assert.Equal(4, saved.Stages.Count);
        Assert.All(saved.Stages, s => Assert.Equal(live[s.Stage].Text, s.Output.Text));
        Assert.Equal(live[StageKind.Hyperparameters].Hyperparameters, saved.Stage(StageKind.Hyperparameters)!.Output.Hyperparameters);
        Assert.Equal(live[StageKind.TrainingLog].Curve!.Points, saved.Stage(StageKind.TrainingLog)!.Output.Curve!.Points);
    }

    [Fact]
    public async Task AFailedStageKeepsTheStagesBeforeItAndItsPartialText()
    {
        await using var db = await TestDatabase.CreateAsync();
        var cards = PaperExamples.Adult.Create();
        var engine = new ScriptedEngine { FailAt = StageKind.Hyperparameters };
        var plan = await db.Runner.PlanFirstRunAsync(cards, engine);
        var id = plan.ExperimentId;
        await foreach (var _ in db.Runner.RunAsync(plan, CancellationToken.None)) { }

        var saved = (await db.Store.GetAsync(id))!;
        Assert.Equal(RunStatus.Failed, saved.Status);
        Assert.Contains("scripted failure", saved.Error);
        Assert.Equal(RunStatus.Succeeded, saved.Stage(StageKind.ModelArchitecture)!.Status);
        var failed = saved.Stage(StageKind.Hyperparameters)!;
        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Equal("Hyperparameters part 1\nHyperparameters part 2\nHyperparameters end", failed.Output.Text);
        Assert.Null(saved.Stage(StageKind.TrainingLog));
    }

    [Fact]
    public async Task StopKeepsThePartialTextAndMarksTheRunCancelled()
    {
        await using var db = await TestDatabase.CreateAsync();
        var cards = PaperExamples.Adult.Create();
        var engine = new ScriptedEngine { BlockAt = StageKind.ModelArchitecture };
        var plan = await db.Runner.PlanFirstRunAsync(cards, engine);
        var id = plan.ExperimentId;
        using var cts = new CancellationTokenSource();
        var run = Task.Run(async () => { await foreach (var _ in db.Runner.RunAsync(plan, cts.Token)) { } });
        await engine.BlockReached.Task.WaitAsync(TimeSpan.FromSeconds(10));
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        var saved = (await db.Store.GetAsync(id))!;
        Assert.Equal(RunStatus.Cancelled, saved.Status);
        Assert.Equal(RunStatus.Succeeded, saved.Stage(StageKind.DataProcessing)!.Status);
        var partial = saved.Stage(StageKind.ModelArchitecture)!;
        Assert.Equal(RunStatus.Cancelled, partial.Status);
        Assert.Equal("ModelArchitecture part 1\n", partial.Output.Text);
    }

    [Fact]
    public async Task ExperimentsSurviveAReopenAndRunsLeftRunningBecomeInterrupted()
    {
        var db = await TestDatabase.CreateAsync();
        var done = await db.Store.CreateAsync(PaperExamples.Adult.Create(), "offline engine");
        await db.Store.FinishAsync(done, 1, RunStatus.Succeeded, null);
        var abandoned = await db.Store.CreateAsync(PaperExamples.Coco.Create(), "offline engine");
        await db.Store.SaveStageAsync(abandoned, 1, StageKind.DataProcessing, RunStatus.Running, new StageOutput(StageKind.DataProcessing, "import torch\n"), null);
        await db.CloseAsync();

        await using var cleanup = db; // owns the folder: deleted after the reopened database is closed
        // Reopened after the stale time (Runs:StaleAfterSeconds, 30 s): nothing beats for the abandoned run any more.
        await using var reopened = await TestDatabase.CreateAsync(db.Folder, s => s.AddSingleton<TimeProvider>(new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(1))));
        Assert.Equal(RunStatus.Succeeded, (await reopened.Store.GetAsync(done))!.Status);
        var interrupted = (await reopened.Store.GetAsync(abandoned))!;
        Assert.Equal(RunStatus.Interrupted, interrupted.Status);
        Assert.Equal(RunStatus.Interrupted, interrupted.Stage(StageKind.DataProcessing)!.Status);
        Assert.Equal("import torch\n", interrupted.Stage(StageKind.DataProcessing)!.Output.Text);
    }

    [Fact]
    public async Task ListsNewestFirstSearchesAndDeletesWithStages()
    {
        await using var db = await TestDatabase.CreateAsync();
        var adult = await db.Store.CreateAsync(PaperExamples.Adult.Create(), "offline engine");
        await db.Store.SaveStageAsync(adult, 1, StageKind.DataProcessing, RunStatus.Succeeded, new StageOutput(StageKind.DataProcessing, "x"), null);
        var coco = await db.Store.CreateAsync(PaperExamples.Coco.Create(), "offline engine");

        var all = await db.Store.ListAsync();
        Assert.Equal([coco, adult], all.Select(e => e.Id));
        Assert.Equal(1, all.Single(e => e.Id == adult).StagesDone);
        Assert.Equal([adult], (await db.Store.ListAsync("XGBoost")).Select(e => e.Id));
        Assert.Empty(await db.Store.ListAsync("no such model"));

        Assert.True(await db.Store.DeleteAsync(adult));
        Assert.Null(await db.Store.GetAsync(adult));
        await using var ctx = await db.Factory.CreateDbContextAsync();
        Assert.Equal(0, await ctx.Stages.CountAsync(s => s.ExperimentId == adult));
    }

    [Fact]
    public async Task RefusesToSaveInvalidCards()
    {
        await using var db = await TestDatabase.CreateAsync();
        var cards = PaperExamples.Adult.Create();
        cards.Data.Name = "";
        var ex = await Assert.ThrowsAsync<CardValidationException>(() => db.Store.CreateAsync(cards, "offline engine"));
        Assert.Contains(ex.Errors, e => e.Field == "Data.Name");
        Assert.Empty(await db.Store.ListAsync());
    }

    [Fact]
    public void EveryProvidersMigrationsMatchTheModel()
    {
        using var sqlite = new SqliteDesignFactory().CreateDbContext([]);
        using var sqlServer = new SqlServerDesignFactory().CreateDbContext([]);
        using var postgres = new PostgresDesignFactory().CreateDbContext([]);
        Assert.False(sqlite.Database.HasPendingModelChanges(), "SQLite needs a new migration");
        Assert.False(sqlServer.Database.HasPendingModelChanges(), "SQL Server needs a new migration");
        Assert.False(postgres.Database.HasPendingModelChanges(), "PostgreSQL needs a new migration");
        Assert.Contains(postgres.Database.GetMigrations(), m => m.EndsWith("_Initial"));
        Assert.Contains(sqlite.Database.GetMigrations(), m => m.EndsWith("_Initial"));
        Assert.Contains(sqlServer.Database.GetMigrations(), m => m.EndsWith("_Initial"));
    }
}
