using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Engines.Offline;
using AutoMLGpt.Core.Knowledge;
using AutoMLGpt.Core.Knowledge.Encoders;
using AutoMLGpt.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using AutoMLGpt.Core.Knowledge.Catalogue;

namespace AutoMLGpt.Tests.Core;

[Trait(TestCategory.Name, TestCategory.Fast)]
public class KnowledgeTests
{
    private static ExperienceRecord Record(string dataset, double lr, int leaves, double score, MlTask task = MlTask.BinaryClassification, long rows = 10_000, string? description = null) => new()
    {
        Dataset = dataset, Source = "pack", Family = "lightgbm", Metric = "accuracy", HigherIsBetter = true, Score = score,
        Card = new DataCard { Name = dataset, Task = task, LabelSpace = "a, b", Samples = rows, Features = 10, Description = description ?? dataset },
        Meta = new MetaFeatures(task, rows, 10, 0.5, 2, 0.5, 0),
        Hyperparameters = new() { ["learning_rate"] = lr.ToString(System.Globalization.CultureInfo.InvariantCulture), ["num_leaves"] = leaves.ToString(), ["boosting"] = dataset.StartsWith('a') ? "gbdt" : "dart", ["num_iterations"] = "150" },
    };

    [Fact]
    public void TransferUsesLogScaleForLearningRatesRoundsIntegersAndVotesCategories()
    {
        var values = HyperparameterTransfer.Transfer([new(Record("a1", 0.01, 16, 0.8), 0.5), new(Record("b1", 0.1, 64, 0.9), 0.5)]);
        var lr = values.Single(v => v.Name == "learning_rate");
        Assert.Equal("0.0316", lr.Value); // geometric mean of 0.01 and 0.1, not 0.055
        Assert.Equal("0.01", lr.Low);
        Assert.Equal("0.1", lr.High);
        Assert.Equal("32", values.Single(v => v.Name == "num_leaves").Value);
        var vote = values.Single(v => v.Name == "boosting");
        Assert.Equal("weighted vote", vote.Kind);

        var weighted = HyperparameterTransfer.Transfer([new(Record("a1", 0.01, 16, 0.8), 0.6), new(Record("b1", 0.1, 64, 0.9), 0.4)]);
        Assert.Equal("gbdt", weighted.Single(v => v.Name == "boosting").Value);
        Assert.Contains("gbdt 60%", weighted.Single(v => v.Name == "boosting").Votes);
        Assert.Equal(0.84, HyperparameterTransfer.Score([new(Record("a1", 0.01, 16, 0.8), 0.6), new(Record("b1", 0.1, 64, 0.9), 0.4)], "accuracy")!.Value.Value, 6);
    }

    [Fact]
    public void TheIndexReturnsTheTopKByCosineBestFirst()
    {
        var index = new VectorIndex(3);
        float[][] vectors = [[1, 0, 0], [0, 1, 0], [0.8f, 0.6f, 0], [0, 0, 1]];
        foreach (var v in vectors) index.Add(v);
        var top = index.Search([1, 0, 0], 2);
        Assert.Equal([0, 2], top.Select(t => t.Position));
        Assert.Equal(1f, top[0].Similarity, 5);
        Assert.Equal(0.8f, top[1].Similarity, 5);
        Assert.Equal([2], index.Search([1, 0, 0], 1, include: i => i != 0).Select(t => t.Position));
        for (var i = 0; i < 200; i++) index.Add([0, 0, 1]); // grows in place
        Assert.Equal(204, index.Count);
        Assert.Throws<ArgumentException>(() => index.Add([1, 0]));
    }

    [Fact]
    public void MetaFeaturesSeparateRegressionFromClassificationAndSizes()
    {
        var small = new MetaFeatures(MlTask.BinaryClassification, 500, 10, 1, 2, 0.5, 0);
        var similar = new MetaFeatures(MlTask.BinaryClassification, 700, 12, 0.9, 2, 0.45, 0);
        var regression = new MetaFeatures(MlTask.Regression, 500, 10, 1, 0, null, 0);
        var huge = new MetaFeatures(MlTask.BinaryClassification, 5_000_000, 10, 1, 2, 0.5, 0);
        Assert.True(small.Similarity(similar) > small.Similarity(regression));
        Assert.True(small.Similarity(similar) > small.Similarity(huge));
        Assert.Equal(1.0, small.Similarity(small), 9);
    }

    [Fact]
    public void NeighboursAreWeightedBySimilarityAndCanBeExcluded()
    {
        var kb = new KnowledgeBase(new HashingEncoder(), new KnowledgeOptions { TextWeight = 0.5 }, NullLogger<KnowledgeBase>.Instance,
        [
            Record("census income", 0.05, 31, 0.87, description: "census income adults education occupation hours salary"),
            Record("bank deposit", 0.03, 63, 0.91, description: "bank marketing clients deposit campaign calls"),
            Record("house prices", 0.1, 15, 0.5, MlTask.Regression, description: "house prices rooms area location"),
        ]);
        var card = new DataCard { Name = "salary survey", Task = MlTask.BinaryClassification, LabelSpace = "low, high", Samples = 12_000, Features = 10, Description = "census survey of adults: education, occupation, hours and salary" };
        var neighbours = kb.FindSimilar(card, k: 3);
        Assert.Equal("census income", neighbours[0].Record.Dataset);
        Assert.Equal(1.0, neighbours.Sum(n => n.Weight), 6);
        Assert.True(neighbours[0].Weight > neighbours[1].Weight);
        Assert.Contains(neighbours[0].Drivers, d => d.StartsWith("same task"));
        Assert.Equal("house prices", neighbours[^1].Record.Dataset);

        var without = kb.FindSimilar(card, k: 3, exclude: new HashSet<string> { "census income" });
        Assert.DoesNotContain(without, n => n.Record.Dataset == "census income");

        var rec = kb.Recommend(card, "lightgbm")!;
        Assert.Equal(3, rec.Neighbours.Count);
        Assert.Contains(rec.Values, v => v.Name == "learning_rate");
        Assert.Contains("census income", rec.Summary);
    }

    [Fact]
    public void TheOfflineEngineUsesTransferredValuesForTabularLightGbm()
    {
        var kb = new KnowledgeBase(new HashingEncoder(), new KnowledgeOptions(), NullLogger<KnowledgeBase>.Instance,
            [Record("adult census", 0.037, 40, 0.873, rows: 48_842, description: "census income adults"), Record("bank", 0.02, 20, 0.93, rows: 41_000)]);
        var cards = new ExperimentCards(PaperExamples.Adult.Create().Data, ModelCatalogue.LightGbm.TemplateCard(), new ExperimentRequest { Resources = "CPU only, 2 cores" });
        var advice = HyperparameterAdvisor.Advise(cards, knowledge: kb);
        Assert.NotNull(advice.Transfer);
        var lr = advice.Recipe["learning_rate"]!;
        Assert.StartsWith("transferred from", lr.Rationale);
        Assert.InRange(lr.Number!.Value, 0.02, 0.037);
        Assert.Contains("early stopping decides", advice.Recipe["num_iterations"]!.Rationale);
        // XGBoost gets the equivalent parameters.
        var xgb = HyperparameterAdvisor.Advise(PaperExamples.Adult.Create(), knowledge: kb);
        Assert.StartsWith("transferred from", xgb.Recipe["learning_rate"]!.Rationale);
        Assert.Contains("depth for about", xgb.Recipe["max_depth"]!.Rationale); // num_leaves becomes a depth
    }

    [Fact]
    public void TheCommittedKnowledgePackCoversTheSharedDatasetsWithMeasuredResults()
    {
        var pack = KnowledgeBase.LoadEmbeddedPack();
        var shared = Directory.GetDirectories(SharedData.Datasets).Select(Path.GetFileName).ToHashSet();
        Assert.Equal(shared.Count, pack.Records.Count);
        Assert.All(pack.Records, r => Assert.Contains(r.Dataset, shared));
        Assert.All(pack.Records, r => Assert.Equal(pack.Trials, r.TrialScores.Count));
        Assert.All(pack.Records, r => Assert.True(r.Curve.Count > 1 && r.Hyperparameters.ContainsKey("learning_rate")));
        Assert.Contains("knowledge-pack", pack.Command);
        var adult = pack.Records.Single(r => r.Dataset == "adult");
        Assert.InRange(adult.Score, 0.86, 0.89);
    }
}
