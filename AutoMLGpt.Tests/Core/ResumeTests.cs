using AutoMLGpt.Core.Training;
using AutoMLGpt.Tests.Fakes;

namespace AutoMLGpt.Tests.Core;

/// <summary>
/// Continuing a LightGBM run from a checkpoint on a fresh split (another process): the checkpoint's trees score the
/// rows as init scores and sit in front of the new trees, so the curve and the model go on where they stopped.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Training)]
public sealed class ResumeTests
{
    [Theory]
    [InlineData("adult", 50)]              // binary
    [InlineData("landsat_satellite", 20)]  // multiclass: init scores laid out class by class (its best iteration is early)
    public void AResumedRunContinuesTheCurveAndEndsWithTheWholeModel(string dataset, int stopAt)
    {
        var file = SharedData.Card(dataset);
        var data = TabularData.Build(CsvReader.Read(SharedData.Csv(dataset)), file.Card);
        var parameters = TrainingParameters.From([], file.Card, data.Classes.Length, 2) with { Iterations = 120, EarlyStoppingRounds = 0 };

        List<IterationMetrics> whole = [];
        TrainingOutcome uninterrupted;
        using (var split = LightGbmSplit.Create(data))
        using (var run = new LightGbmRun(split, parameters, file.Card.Task, file.Card.PrimaryMetric))
        {
            run.Advance(120, whole.Add, CancellationToken.None);
            uninterrupted = run.Outcome();
        }

        List<IterationMetrics> first = [], second = [];
        TrainingCheckpoint checkpoint;
        using (var split = LightGbmSplit.Create(data))
        using (var run = new LightGbmRun(split, parameters, file.Card.Task, file.Card.PrimaryMetric))
        {
            run.Advance(stopAt, first.Add, CancellationToken.None);
            checkpoint = run.Checkpoint();
        }
        TrainingOutcome resumed;
        using (var split = LightGbmSplit.Create(data)) // a new process: nothing of the first run but its checkpoint
        using (var run = new LightGbmRun(split, parameters, file.Card.Task, file.Card.PrimaryMetric, resumeFrom: checkpoint))
        {
            Assert.Equal(stopAt, run.ResumedFrom);
            run.Advance(120, second.Add, CancellationToken.None);
            resumed = run.Outcome();
        }

        Assert.Equal(Enumerable.Range(stopAt + 1, 120 - stopAt), second.Select(m => m.Iteration));
        // The first new iteration continues from the checkpoint: the validation loss goes on from where it was, not from a fresh start.
        Assert.True(Math.Abs(second[0].ValidLoss - whole[stopAt].ValidLoss) < 0.02 * whole[stopAt].ValidLoss, $"{second[0].ValidLoss} vs {whole[stopAt].ValidLoss}");
        Assert.True(second[0].ValidLoss < whole[5].ValidLoss);
        Assert.Equal(120, resumed.Iterations);
        // The saved model ends at the best iteration, past the checkpoint: it holds the checkpoint's trees and the new ones.
        Assert.InRange(resumed.BestIteration, stopAt + 1, 120);
        var perIteration = data.Classes.Length > 2 ? data.Classes.Length : 1;
        Assert.Contains($"Tree={resumed.BestIteration * perIteration - 1}\n", resumed.ModelText);
        Assert.DoesNotContain($"Tree={resumed.BestIteration * perIteration}\n", resumed.ModelText);
        var metric = file.Card.PrimaryMetric;
        Assert.True(Math.Abs(resumed.Test.Get(metric)!.Value - uninterrupted.Test.Get(metric)!.Value) < 0.01,
            $"{metric}: resumed {resumed.Test.Get(metric)} vs uninterrupted {uninterrupted.Test.Get(metric)}");
    }

    private static readonly Lazy<AutoMLGpt.Core.Knowledge.KnowledgeBase> Knowledge = new(() =>
        new AutoMLGpt.Core.Knowledge.KnowledgeBase(AutoMLGpt.Core.Knowledge.Encoders.StaticTableEncoder.LoadEmbedded(), new AutoMLGpt.Core.Knowledge.KnowledgeOptions(),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<AutoMLGpt.Core.Knowledge.KnowledgeBase>.Instance, AutoMLGpt.Core.Knowledge.KnowledgeBase.LoadEmbeddedPack().Records)
            .WithPortfolio(AutoMLGpt.Core.Knowledge.Portfolio.ResultsMatrix.LoadEmbedded()!));

    /// <summary>
    /// A race (successive halving) stopped after its first rung and continued by "another runner" from the checkpoint,
    /// after a trip through JSON as in the database: the first rung's decisions stand, nothing before the checkpoint is
    /// trained again, and the winner's test score is the uninterrupted race's within 0.01.
    /// </summary>
    [Fact]
    public void AResumedRaceKeepsItsFirstRungsDecisionsAndWinsAsWell()
    {
        var file = SharedData.Card("adult");
        var data = TabularData.Build(CsvReader.Read(SharedData.Csv("adult")), file.Card);
        var portfolio = Knowledge.Value.Portfolio!;
        var plan = portfolio.PlanRace(file.Card, portfolio.ChooseZeroShot(file.Card), 6);
        const int firstRung = 20;
        var task = file.Card.Task;
        var metric = file.Card.PrimaryMetric;

        AutoMLGpt.Core.Knowledge.Portfolio.RaceOutcome whole;
        using (var split = LightGbmSplit.Create(data))
            whole = AutoMLGpt.Core.Knowledge.Portfolio.PortfolioRace.Run(split, plan, task, metric, 2, null, null, CancellationToken.None, firstRung: firstRung);

        AutoMLGpt.Core.Knowledge.Portfolio.RaceCheckpoint? checkpoint = null;
        using (var stop = new CancellationTokenSource())
        using (var split = LightGbmSplit.Create(data))
        {
            // The runner dies right after its first checkpoint (the end of the first rung).
            Assert.ThrowsAny<OperationCanceledException>(() => AutoMLGpt.Core.Knowledge.Portfolio.PortfolioRace.Run(split, plan, task, metric, 2, null, null, stop.Token, firstRung: firstRung,
                checkpoints: (TimeSpan.Zero, c => { checkpoint ??= c; stop.Cancel(); })));
        }
        Assert.NotNull(checkpoint);
        var saved = System.Text.Json.JsonSerializer.Deserialize<AutoMLGpt.Core.Knowledge.Portfolio.RaceCheckpoint>(
            AutoMLGpt.Core.TrainingJobs.TrainingJobStore.Serialize(checkpoint), AutoMLGpt.Core.Experiments.ExperimentStore.Json)!;
        Assert.True(saved.Fits(plan));
        Assert.Equal(3, saved.Alive.Length); // half of 6 went on
        Assert.Equal(2 * firstRung, saved.Rung);

        var after = new List<(string Candidate, int Iteration)>();
        AutoMLGpt.Core.Knowledge.Portfolio.RaceOutcome resumed;
        using (var split = LightGbmSplit.Create(data))
            resumed = AutoMLGpt.Core.Knowledge.Portfolio.PortfolioRace.Run(split, plan, task, metric, 2, (id, m) => after.Add((id, m.Iteration)), null, CancellationToken.None,
                firstRung: firstRung, resumeFrom: saved);

        for (var i = 0; i < plan.Count; i++)
        {
            var id = plan[i].Candidate.Id;
            if (saved.Dropped[i] is not null) Assert.Equal(whole.Candidates[i].DroppedAtIteration, resumed.Candidates[i].DroppedAtIteration); // decided before the checkpoint
            Assert.DoesNotContain(after, a => a.Candidate == id && a.Iteration <= saved.Runs[i]!.Iteration); // nothing trained twice
        }
        Assert.DoesNotContain(after, a => saved.Dropped[plan.Select(p => p.Candidate.Id).ToList().IndexOf(a.Candidate)] is not null); // the dropped stay dropped
        // Later rungs may decide a near-tie the other way (a resumed booster matches an uninterrupted one to rounding, not
        // bit for bit; on Adult two candidates are within 0.001 of validation accuracy): the winner is as good.
        Assert.Contains(plan[resumed.Winner].Candidate.Id, saved.Alive.Select(i => plan[i].Candidate.Id));
        Assert.True(Math.Abs(whole.WinnerOutcome.Test.Get(metric)!.Value - resumed.WinnerOutcome.Test.Get(metric)!.Value) < 0.01,
            $"{metric}: resumed {resumed.WinnerOutcome.Test.Get(metric)} vs uninterrupted {whole.WinnerOutcome.Test.Get(metric)}");
        Assert.False(new AutoMLGpt.Core.Knowledge.Portfolio.RaceCheckpoint(["other"], 40, [0], [null], [null], 1).Fits(plan));
    }
}
