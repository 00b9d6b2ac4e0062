using AutoMLGpt.Core.Training;
using AutoMLGpt.Tests.Fakes;

namespace AutoMLGpt.Tests.Core;

/// <summary>Counts this process's LightGBM handles, so no other test may create any meanwhile.</summary>
[CollectionDefinition(nameof(NativeHandleCollection), DisableParallelization = true)]
public sealed class NativeHandleCollection;

/// <summary>
/// Boosters and datasets are owned by safe handles: a run whose construction fails frees what it made, a failed resume
/// leaves no init scores on a split that a race shares, and LightGBM's own reason reaches the caller typed.
/// </summary>
[Collection(nameof(NativeHandleCollection))]
[Trait(TestCategory.Name, TestCategory.Fast)]
public sealed class LightGbmHandleTests
{
    private static (TabularData Data, TrainingParameters Parameters, AutoMLGpt.Core.Cards.DataCard Card) BreastCancer()
    {
        var file = SharedData.Card("breast_cancer_wisconsin");
        var data = TabularData.Build(CsvReader.Read(SharedData.Csv("breast_cancer_wisconsin")), file.Card);
        var parameters = TrainingParameters.From([], file.Card, data.Classes.Length, 1) with { Iterations = 30, EarlyStoppingRounds = 0 };
        return (data, parameters, file.Card);
    }

    private static TrainingParameters WithObjective(TrainingParameters parameters, string objective) =>
        parameters with { LightGbm = new Dictionary<string, string>(parameters.LightGbm) { ["objective"] = objective } };

    [Fact]
    public void ARunWhoseBoosterCannotBeBuiltFreesWhatItMadeAndSaysWhyInLightGbmsWords()
    {
        var (data, parameters, card) = BreastCancer();
        var before = LightGbmNative.LiveHandles;
        using (var split = LightGbmSplit.Create(data))
        {
            TrainingCheckpoint checkpoint;
            using (var run = new LightGbmRun(split, parameters, card.Task, card.PrimaryMetric))
            {
                run.Advance(10, null, CancellationToken.None);
                checkpoint = run.Checkpoint();
            }
            Assert.Equal(before + 2, LightGbmNative.LiveHandles); // the split's two datasets

            // Resuming loads the checkpoint's booster and scores the split before the new booster fails to build.
            var error = Assert.Throws<LightGbmException>(() => new LightGbmRun(split, WithObjective(parameters, "no_such_objective"), card.Task, card.PrimaryMetric, resumeFrom: checkpoint));
            Assert.Contains("no_such_objective", error.NativeMessage);
            Assert.False(error.IsOutOfMemory);
            Assert.Equal(before + 2, LightGbmNative.LiveHandles);

            Assert.Throws<LightGbmException>(() => new LightGbmRun(split, WithObjective(parameters, "no_such_objective"), card.Task, card.PrimaryMetric));
            Assert.Equal(before + 2, LightGbmNative.LiveHandles);

            // A checkpoint of a model with other features fails while it scores the split, before any new booster exists.
            var pima = SharedData.Card("pima_indians_diabetes");
            var other = TabularData.Build(CsvReader.Read(SharedData.Csv("pima_indians_diabetes")), pima.Card);
            TrainingCheckpoint foreign;
            using (var otherSplit = LightGbmSplit.Create(other))
            using (var run = new LightGbmRun(otherSplit, parameters, card.Task, card.PrimaryMetric))
            {
                run.Advance(5, null, CancellationToken.None);
                foreign = run.Checkpoint();
            }
            var mismatch = Assert.Throws<LightGbmException>(() => new LightGbmRun(split, parameters, card.Task, card.PrimaryMetric, resumeFrom: foreign));
            Assert.Contains("features", mismatch.NativeMessage);
            Assert.Equal(before + 2, LightGbmNative.LiveHandles);
        }
        Assert.Equal(before, LightGbmNative.LiveHandles);
    }

    [Fact]
    public void AResumeThatFailsLeavesNoInitScoresOnTheSharedSplit()
    {
        var (data, parameters, card) = BreastCancer();
        List<IterationMetrics> clean = [], afterFailure = [];
        using (var split = LightGbmSplit.Create(data))
        using (var run = new LightGbmRun(split, parameters, card.Task, card.PrimaryMetric))
            run.Advance(5, clean.Add, CancellationToken.None);

        using (var shared = LightGbmSplit.Create(data))
        {
            TrainingCheckpoint checkpoint;
            using (var run = new LightGbmRun(shared, parameters, card.Task, card.PrimaryMetric))
            {
                run.Advance(20, null, CancellationToken.None);
                checkpoint = run.Checkpoint();
            }
            Assert.Throws<LightGbmException>(() => new LightGbmRun(shared, WithObjective(parameters, "no_such_objective"), card.Task, card.PrimaryMetric, resumeFrom: checkpoint));
            // The next candidate of a race on this split starts from nothing, exactly as on a split of its own.
            using var next = new LightGbmRun(shared, parameters, card.Task, card.PrimaryMetric);
            next.Advance(5, afterFailure.Add, CancellationToken.None);
        }
        Assert.Equal(clean.Select(m => m.ValidLoss), afterFailure.Select(m => m.ValidLoss));
    }
}
