using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.TrainingJobs;
using AutoMLGpt.Tests.Fakes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AutoMLGpt.Tests.Core;

/// <summary>
/// The run-state contract's heartbeat: runs a live process is working on keep beating and are never interrupted; runs
/// whose process is gone become interrupted once their heartbeat is older than <c>Runs:StaleAfterSeconds</c> (30 s).
/// </summary>
[Trait(TestCategory.Name, TestCategory.Fast)]
public sealed class RunHeartbeatTests
{
    private static Task<TestDatabase> OpenAsync(string? folder, TimeProvider clock) =>
        TestDatabase.CreateAsync(folder, s => s.AddSingleton(clock));

    [Fact]
    public async Task ASecondInstanceLeavesABeatingRunAloneAndInterruptsItOnceItFallsSilent()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var first = await OpenAsync(null, clock);
        var id = await first.Store.CreateAsync(PaperExamples.Adult.Create(), "offline engine");
        await first.Store.SaveStageAsync(id, 1, StageKind.DataProcessing, RunStatus.Running, new StageOutput(StageKind.DataProcessing, "import pandas as pd\n"), null);
        var alive = first.Services.GetRequiredService<LiveRuns>().Revision(id, 1);
        var firstHeart = first.Services.GetRequiredService<RunHeartbeatService>();

        // 50 s after it started, but beaten 25 s ago: a second instance starting on the same database leaves it running.
        clock.Advance(TimeSpan.FromSeconds(25));
        await firstHeart.BeatAndSweepAsync();
        clock.Advance(TimeSpan.FromSeconds(25));
        await using var second = await OpenAsync(first.Folder, clock);
        Assert.Equal(RunStatus.Running, (await second.Store.GetAsync(id))!.Status);

        // The first instance keeps beating for minutes: still running.
        for (var i = 0; i < 12; i++) { clock.Advance(TimeSpan.FromSeconds(10)); await firstHeart.BeatAndSweepAsync(); }
        var secondHeart = second.Services.GetRequiredService<RunHeartbeatService>();
        Assert.Equal(0, await secondHeart.BeatAndSweepAsync());
        Assert.Equal(RunStatus.Running, (await second.Store.GetAsync(id))!.Status);

        // It stops beating (its process died): 29 s later it is still trusted, 31 s later it is interrupted, output kept.
        alive.Dispose();
        clock.Advance(TimeSpan.FromSeconds(29));
        await firstHeart.BeatAndSweepAsync();
        Assert.Equal(RunStatus.Running, (await second.Store.GetAsync(id))!.Status);
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, await secondHeart.BeatAndSweepAsync());
        var interrupted = (await second.Store.GetAsync(id))!;
        Assert.Equal(RunStatus.Interrupted, interrupted.Status);
        Assert.Equal(RunStatus.Interrupted, interrupted.Stage(StageKind.DataProcessing)!.Status);
        Assert.Equal("import pandas as pd\n", interrupted.Stage(StageKind.DataProcessing)!.Output.Text);
        Assert.Contains("app stopped", interrupted.Error);
    }

    [Fact]
    public async Task OnlyTheRevisionBeingRunBeatsSoAnAbandonedOlderOneStillEndsInterrupted()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var db = await OpenAsync(null, clock);
        var id = await db.Store.CreateAsync(PaperExamples.Adult.Create(), "offline engine"); // revision 1, left running
        var second = await db.Store.CreateRevisionAsync(id, 1, "retry", "offline engine", null, [], cancellationToken: CancellationToken.None);
        using var alive = db.Services.GetRequiredService<LiveRuns>().Revision(id, second);
        var heart = db.Services.GetRequiredService<RunHeartbeatService>();

        for (var i = 0; i < 8; i++) { clock.Advance(TimeSpan.FromSeconds(5)); await heart.BeatAndSweepAsync(); }

        await using var check = await db.Factory.CreateDbContextAsync();
        var statuses = await check.Revisions.Where(r => r.ExperimentId == id).OrderBy(r => r.Number).Select(r => r.Status).ToListAsync();
        Assert.Equal([RunStatus.Interrupted, RunStatus.Running], statuses);
        Assert.Equal(RunStatus.Running, (await db.Store.GetAsync(id))!.Status); // the experiment follows its latest revision
    }

    [Fact]
    public async Task AQueuedTrainingJobKeepsBeatingWhileItWaitsAndAnAbandonedOneIsInterrupted()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var db = await OpenAsync(null, clock);
        var experiment = await db.Store.CreateAsync(PaperExamples.Adult.Create(), "offline engine");
        var jobs = db.Services.GetRequiredService<TrainingJobStore>();
        var waiting = await jobs.CreateAsync(experiment, 1, "0123456789abcdef0123456789abcdef.csv", "accuracy", null, null, CancellationToken.None);
        var abandoned = await jobs.CreateAsync(experiment, 1, "0123456789abcdef0123456789abcdef.csv", "accuracy", null, null, CancellationToken.None);
        await db.Store.FinishAsync(experiment, 1, RunStatus.Succeeded, null);
        using var alive = db.Services.GetRequiredService<LiveRuns>().TrainingJob(waiting);
        var heart = db.Services.GetRequiredService<RunHeartbeatService>();

        for (var i = 0; i < 10; i++) { clock.Advance(TimeSpan.FromSeconds(5)); await heart.BeatAndSweepAsync(); }

        Assert.Equal(RunStatus.Queued, (await jobs.FindAsync(waiting))!.Status);
        var gone = (await jobs.FindAsync(abandoned))!;
        Assert.Equal(RunStatus.Interrupted, gone.Status);
        Assert.Contains("Start a new run", gone.Error);
    }

    [Fact]
    public async Task AStreamingChatReplyIsCheckpointedEveryTwoSecondsAndBeatsWhileItStreams()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var db = await OpenAsync(null, clock);
        var plan = await db.Runner.PlanFirstRunAsync(PaperExamples.Adult.Create(), new ScriptedEngine());
        await foreach (var _ in db.Runner.RunAsync(plan, CancellationToken.None)) { }
        var live = db.Services.GetRequiredService<LiveRuns>();
        var engine = new ScriptedEngine
        {
            ReplyChunks = ["Lowering the learning rate ", "and adding early stopping."],
            BeforeReplyChunk = i => { if (i == 1) clock.Advance(TimeSpan.FromSeconds(3)); },
        };
        var refiner = new ChatRefiner(db.Store, db.Runner, live, clock);

        await using var updates = refiner.SendAsync(plan.ExperimentId, "more robust training", engine, CancellationToken.None).GetAsyncEnumerator();
        var deltas = 0;
        while (await updates.MoveNextAsync() && (updates.Current.Kind != ChatUpdateKind.ReplyDelta || ++deltas < 2)) { }

        // Mid-reply, after more than two seconds: the text so far is saved and the reply is among this process's live runs.
        await using (var check = await db.Factory.CreateDbContextAsync())
        {
            var reply = await check.Messages.SingleAsync(m => m.Role == "assistant");
            Assert.Equal(RunStatus.Running, reply.Status);
            Assert.Equal("Lowering the learning rate and adding early stopping.", reply.Content);
            Assert.Contains(reply.Id, live.Messages);
        }
        while (await updates.MoveNextAsync()) { }
        Assert.Empty(live.Messages);
        Assert.Empty(live.Revisions);
    }
}
