using AutoMLGpt.Core.Training;
using AutoMLGpt.Tests.Fakes;

namespace AutoMLGpt.Tests.Core;

/// <summary>
/// Continuing a LightGBM run from a checkpoint on a fresh split (another process): the checkpoint's trees score the
/// rows as init scores and sit in front of the new trees, so the curve and the model go on where they stopped.
/// </summary>
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
}
