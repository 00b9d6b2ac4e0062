using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Tests.Fakes;

namespace AutoMLGpt.Tests.Core;

[Trait(TestCategory.Name, TestCategory.Fast)]
public class PipelineRunnerTests
{
    private static readonly ExperimentCards Cards = PaperExamples.Adult.Create();

    [Fact]
    public async Task RunsStagesInOrderAndEachSeesTheEarlierOutputs()
    {
        var engine = new ScriptedEngine();
        var completed = new List<StageKind>();
        await foreach (var u in PipelineRunner.RunAsync(engine, Cards, CancellationToken.None))
            if (u.Kind == StageUpdateKind.Completed) completed.Add(u.Stage);

        Assert.Equal(StageNames.InOrder, completed);
        Assert.Equal(StageNames.InOrder, engine.Seen.Select(s => s.Stage));
        for (var i = 0; i < engine.Seen.Count; i++)
            Assert.Equal(StageNames.InOrder.Take(i).Order(), engine.Seen[i].Earlier.Order());
    }

    [Fact]
    public async Task CancellationStopsAtOnceAndNoLaterStageStarts()
    {
        var engine = new ScriptedEngine { BlockAt = StageKind.ModelArchitecture };
        using var cts = new CancellationTokenSource();
        var seen = new List<StageUpdate>();
        var run = Task.Run(async () =>
        {
            await foreach (var u in PipelineRunner.RunAsync(engine, Cards, cts.Token)) seen.Add(u);
        });
        await engine.BlockReached.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var cancelledAt = DateTime.UtcNow;
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.True(DateTime.UtcNow - cancelledAt < TimeSpan.FromSeconds(2));
        Assert.DoesNotContain(seen, u => u.Stage > StageKind.ModelArchitecture);
        Assert.DoesNotContain(seen, u => u.Stage == StageKind.ModelArchitecture && u.Kind == StageUpdateKind.Completed);
    }

    [Fact]
    public async Task AFailedStageStopsThePipelineWithItsReason()
    {
        var engine = new ScriptedEngine { FailAt = StageKind.Hyperparameters };
        var updates = new List<StageUpdate>();
        await foreach (var u in PipelineRunner.RunAsync(engine, Cards, CancellationToken.None)) updates.Add(u);
        var last = updates[^1];
        Assert.Equal((StageKind.Hyperparameters, StageUpdateKind.Failed, "scripted failure"), (last.Stage, last.Kind, last.Text));
        Assert.DoesNotContain(updates, u => u.Stage == StageKind.TrainingLog);
    }

    [Fact]
    public async Task AnExceptionInsideAStageBecomesAFailedUpdate()
    {
        var engine = new ScriptedEngine { ThrowAt = StageKind.DataProcessing };
        var updates = new List<StageUpdate>();
        await foreach (var u in PipelineRunner.RunAsync(engine, Cards, CancellationToken.None)) updates.Add(u);
        Assert.Equal(StageUpdateKind.Failed, updates[^1].Kind);
        Assert.Contains("connection reset", updates[^1].Text);
        Assert.Single(updates, u => u.Kind == StageUpdateKind.Delta); // the chunk before the fault still arrived
    }
}
