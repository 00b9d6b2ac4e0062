using Microsoft.Extensions.DependencyInjection;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Engines.Offline;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Tests.Fakes;

namespace AutoMLGpt.Tests.Core;

[Trait(TestCategory.Name, TestCategory.Fast)]
public class ChatAndRevisionTests
{
    private static readonly OfflineEngine Offline = new(new OfflineEngineOptions { StreamDelayMilliseconds = 0 });

    private static async Task<Guid> RunAsync(TestDatabase db, ExperimentCards cards, IExperimentEngine engine)
    {
        var plan = await db.Runner.PlanFirstRunAsync(cards, engine);
        await foreach (var _ in db.Runner.RunAsync(plan, CancellationToken.None)) { }
        return plan.ExperimentId;
    }

    private static async Task<List<ChatUpdate>> SendAsync(TestDatabase db, Guid id, string message, IExperimentEngine engine)
    {
        var refiner = new ChatRefiner(db.Store, db.Runner, db.Services.GetRequiredService<LiveRuns>(), TimeProvider.System);
        var updates = new List<ChatUpdate>();
        await foreach (var u in refiner.SendAsync(id, message, engine, CancellationToken.None)) updates.Add(u);
        return updates;
    }

    [Fact]
    public async Task AnOfflineFollowUpMakesANewRevisionAndKeepsThePreviousOne()
    {
        await using var db = await TestDatabase.CreateAsync();
        var id = await RunAsync(db, PaperExamples.Adult.Create(), Offline);
        var before = (await db.Store.GetAsync(id))!;

        var updates = await SendAsync(db, id, "Shorter training please, fewer epochs", Offline);
        var reply = updates.Single(u => u.Kind == ChatUpdateKind.ReplyDone).Text;
        Assert.Contains("Applying shorter training", reply);
        Assert.Contains("learning_rate 0.05 → 0.1", reply);
        Assert.Equal(2, updates.Last().Revision);

        var after = (await db.Store.GetAsync(id))!;
        Assert.Equal(2, after.Revision);
        Assert.Equal(RunStatus.Succeeded, after.Status);
        Assert.Equal("chat: Shorter training please, fewer epochs", after.CurrentRevision!.Reason);
        Assert.Equal(before.Stage(StageKind.DataProcessing)!.Output.Text, after.Stage(StageKind.DataProcessing)!.Output.Text); // A kept

        var diff = RevisionDiff.Compare(before.Stages, after.Stages);
        Assert.Contains(diff.Hyperparameters, c => c is { Name: "learning_rate", Before: "0.05", After: "0.1", Kind: ChangeKind.Changed });
        Assert.Contains(diff.Hyperparameters, c => c is { Name: "n_estimators", Before: "1000", After: "500" });
        Assert.DoesNotContain(diff.Stages, s => s.Stage == StageKind.DataProcessing);

        var first = (await db.Store.GetAsync(id, revision: 1))!;
        Assert.Equal(before.Stage(StageKind.Hyperparameters)!.Output.Text, first.Stage(StageKind.Hyperparameters)!.Output.Text);
        Assert.Equal(["user", "assistant"], after.Messages.Select(m => m.Role));
        Assert.Equal(2, after.Messages[1].Revision);
    }

    [Fact]
    public async Task FollowUpsAccumulateAcrossRevisions()
    {
        await using var db = await TestDatabase.CreateAsync();
        var cards = PaperExamples.ImageNetSubset.Create();
        cards.Request.Requests = "";
        var id = await RunAsync(db, cards, Offline);
        await SendAsync(db, id, "faster inference", Offline);
        await SendAsync(db, id, "fewer epochs", Offline);
        var latest = (await db.Store.GetAsync(id))!;
        Assert.Equal("faster inference\nfewer epochs", latest.CurrentRevision!.FollowUp);
        var rows = latest.Stage(StageKind.Hyperparameters)!.Output.Hyperparameters!;
        Assert.Equal("160", rows.Single(r => r.Name == "image_size").Value); // the first follow-up still applies
    }

    [Fact]
    public async Task AFollowUpTheOfflineEngineDoesNotUnderstandGetsHelpAndNoRevision()
    {
        await using var db = await TestDatabase.CreateAsync();
        var id = await RunAsync(db, PaperExamples.Adult.Create(), Offline);
        var updates = await SendAsync(db, id, "Please use a transformer written in Rust", Offline);
        Assert.Contains("understands: faster inference", updates.Single(u => u.Kind == ChatUpdateKind.ReplyDone).Text);
        Assert.DoesNotContain(updates, u => u.Kind == ChatUpdateKind.RevisionStarted);
        Assert.Equal(1, (await db.Store.GetAsync(id))!.LatestRevision);
    }

    [Theory]
    [InlineData("")]
    [InlineData("hidden\u202Etext")]
    public async Task InvalidMessagesAreRefusedWithoutSavingAnything(string message)
    {
        await using var db = await TestDatabase.CreateAsync();
        var id = await RunAsync(db, PaperExamples.Adult.Create(), Offline);
        var updates = await SendAsync(db, id, message, Offline);
        Assert.Equal(ChatUpdateKind.Failed, Assert.Single(updates).Kind);
        Assert.Empty((await db.Store.GetAsync(id))!.Messages);
    }

    [Fact]
    public async Task RetryIsANewAttemptThatKeepsTheStagesBeforeTheFailure()
    {
        await using var db = await TestDatabase.CreateAsync();
        var failing = new ScriptedEngine { FailAt = StageKind.Hyperparameters };
        var id = await RunAsync(db, PaperExamples.Adult.Create(), failing);
        Assert.Equal(RunStatus.Failed, (await db.Store.GetAsync(id))!.Status);

        var plan = (await db.Runner.PlanRetryAsync(id, new ScriptedEngine()))!;
        Assert.Equal(2, plan.Revision);
        Assert.Equal([StageKind.Hyperparameters, StageKind.TrainingLog], plan.Stages);
        Assert.Equal([StageKind.DataProcessing, StageKind.ModelArchitecture], plan.Earlier.Keys.Order());
        await foreach (var _ in db.Runner.RunAsync(plan, CancellationToken.None)) { }

        var retried = (await db.Store.GetAsync(id))!;
        Assert.Equal(RunStatus.Succeeded, retried.Status);
        Assert.All(retried.Stages, s => Assert.Equal(RunStatus.Succeeded, s.Status));
        var failed = (await db.Store.GetAsync(id, revision: 1))!;
        Assert.Equal(RunStatus.Failed, failed.Stage(StageKind.Hyperparameters)!.Status); // the failed attempt is kept
        Assert.Equal(RunStatus.Failed, failed.Revisions.Single(r => r.Number == 1).Status);
        Assert.Equal("retry from C · Hyperparameters", retried.CurrentRevision!.Reason);
    }

    [Fact]
    public void LineDiffFindsAddedAndRemovedLines()
    {
        var lines = RevisionDiff.Lines(["a", "b", "c"], ["a", "x", "c", "d"]);
        Assert.Equal("  a|- b|+ x|  c|+ d", string.Join("|", lines.Select(l => $"{l.Op} {l.Text}")));
    }
}
