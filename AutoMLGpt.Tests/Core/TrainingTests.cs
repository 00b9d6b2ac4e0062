using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.Training;
using AutoMLGpt.Tests.Fakes;
using AutoMLGpt.Core.Knowledge.Catalogue;

namespace AutoMLGpt.Tests.Core;

[Trait(TestCategory.Name, TestCategory.Fast)]
public class TrainingTests
{
    private static readonly IReadOnlyList<HyperparameterRow> Recipe =
    [
        new("learning_rate", "0.1", "float", "", ""), new("num_leaves", "31", "int", "", ""),
        new("num_iterations", "300", "int", "", ""), new("early_stopping_rounds", "30", "int", "", ""),
        new("min_data_in_leaf", "5", "int", "", ""),
    ];

    private static (TrainingOutcome Outcome, List<IterationMetrics> Log) Train(string dataset, IReadOnlyList<HyperparameterRow>? rows = null, CancellationToken ct = default)
    {
        var file = SharedData.Card(dataset);
        var table = CsvReader.Read(SharedData.Csv(dataset));
        var data = TabularData.Build(table, file.Card, trainRange: file.TrainRange, testRange: file.TestRange);
        var parameters = TrainingParameters.From(rows ?? Recipe, file.Card, data.Classes.Length, 2);
        var log = new List<IterationMetrics>();
        var outcome = LightGbmTrainer.Train(data, parameters, file.Card, log.Add, ct);
        return (outcome, log);
    }

    [Fact]
    public void BinaryClassificationOnPimaReportsEveryIterationAndTestMetrics()
    {
        var (outcome, log) = Train("pima_indians_diabetes");
        Assert.Equal(Enumerable.Range(1, log.Count), log.Select(l => l.Iteration));
        Assert.True(log[^1].TrainLoss < log[0].TrainLoss, "training loss falls");
        Assert.Equal("AUC", outcome.MetricName); // the card's metric for a 35%-positive dataset
        Assert.InRange(outcome.Test.Auc!.Value, 0.75, 1.0);
        Assert.InRange(outcome.Test.LogLoss!.Value, 0.2, 0.65);
        Assert.True(outcome.BestIteration <= outcome.Iterations);
        Assert.Contains("tree", outcome.ModelText);
    }

    [Fact]
    public void MulticlassOnPenguinsWithMissingValuesAndCategoricals()
    {
        var (outcome, log) = Train("palmer_penguins");
        Assert.InRange(outcome.Test.Accuracy!.Value, 0.9, 1.0);
        Assert.Null(outcome.Test.Auc);
        Assert.All(log, l => Assert.InRange(l.ValidMetric, 0, 1));
    }

    [Fact]
    public void RegressionOnConcreteReportsRmse()
    {
        var (outcome, _) = Train("concrete_strength");
        Assert.InRange(outcome.Test.Rmse!.Value, 2.0, 9.0); // the target's sd is ~16.7 MPa
        Assert.InRange(outcome.Test.R2!.Value, 0.75, 1.0);
    }

    [Fact]
    public void AdultUsesItsStandardSplit()
    {
        var file = SharedData.Card("adult");
        var data = TabularData.Build(CsvReader.Read(SharedData.Csv("adult")), file.Card, trainRange: file.TrainRange, testRange: file.TestRange);
        Assert.Equal(16_281, data.Split.Test.Length);
        Assert.Contains("standard split", data.Split.Description);
        Assert.Equal(8, data.CategoricalFeatures.Length);
        Assert.Contains(float.NaN, data.Features); // missing workclass stays missing, never 0
    }

    [Fact]
    public void CancellationStopsWithinAnIteration()
    {
        using var cts = new CancellationTokenSource();
        var file = SharedData.Card("spambase");
        var data = TabularData.Build(CsvReader.Read(SharedData.Csv("spambase")), file.Card);
        var parameters = TrainingParameters.From([new("num_iterations", "5000", "int", "", ""), new("learning_rate", "0.01", "float", "", "")], file.Card, 2, 2);
        var seen = 0;
        Assert.Throws<OperationCanceledException>(() => LightGbmTrainer.Train(data, parameters, file.Card, m => { seen = m.Iteration; if (m.Iteration == 5) cts.Cancel(); }, cts.Token));
        Assert.Equal(5, seen);
    }

    [Fact]
    public void UnknownAndOutOfRangeHyperparametersAreNamed()
    {
        var card = SharedData.Card("titanic").Card;
        var p = TrainingParameters.From([new("learning_rate", "7", "float", "", ""), new("momentum", "0.9", "float", "", ""), new("num_leaves", "abc", "int", "", ""), new("subsample", "0.8", "float", "", "")], card, 2, 2);
        Assert.Contains(p.Messages, m => m.StartsWith("learning_rate = 7 is outside"));
        Assert.Contains(p.Messages, m => m == "momentum is not a LightGBM parameter; ignored.");
        Assert.Contains(p.Messages, m => m.Contains("num_leaves = \"abc\" is not a number"));
        Assert.Equal("0.8", p.LightGbm["bagging_fraction"]);
        Assert.Equal("1", p.LightGbm["bagging_freq"]);
    }

    [Fact]
    public void BadLabelsAreRefusedBeforeTraining()
    {
        var card = new DataCard { Name = "t", Task = MlTask.BinaryClassification, LabelSpace = "a, b", LabelColumn = "y" };
        CsvTable Table(string csv) => CsvReader.Read(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(csv)));
        var oneClass = "x,y\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"{i},a\n"));
        Assert.Contains("single class", Assert.Throws<TrainingDataException>(() => TabularData.Build(Table(oneClass), card)).Message);
        var noLabel = "x,y\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"{i},\n"));
        Assert.Contains("Every value of the label", Assert.Throws<TrainingDataException>(() => TabularData.Build(Table(noLabel), card)).Message);
        var tiny = "x,y\n1,a\n2,b\n3,a\n";
        Assert.Contains("at least 10", Assert.Throws<TrainingDataException>(() => TabularData.Build(Table(tiny), card)).Message);
    }

    [Fact]
    public void AucHandlesTiesAndPerfectRanking()
    {
        Assert.Equal(1.0, TestMetrics.RocAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]));
        Assert.Equal(0.5, TestMetrics.RocAuc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]));
        Assert.Null(TestMetrics.RocAuc([1, 1], [0.2, 0.3]));
    }
}

[Trait(TestCategory.Name, TestCategory.Fast)]
public class MlNetBaselineTests
{
    [Theory]
    [InlineData("breast_cancer_wisconsin", 0.9)]
    [InlineData("palmer_penguins", 0.85)]
    [InlineData("concrete_strength", 0.7)]
    public void TheFastTreeBaselineTrainsOnTheSameMatrixAndSplit(string dataset, double floor)
    {
        var file = SharedData.Card(dataset);
        var data = TabularData.Build(CsvReader.Read(SharedData.Csv(dataset)), file.Card);
        var (test, _, trainer) = MlNetBaseline.Train(data, file.Card);
        Assert.Contains("FastTree", trainer);
        Assert.Equal(data.Split.Test.Length, test.Rows);
        var score = file.Card.Task switch
        {
            MlTask.Regression => test.R2!.Value,
            MlTask.BinaryClassification => test.Auc!.Value,
            _ => test.Accuracy!.Value,
        };
        Assert.InRange(score, floor, 1.0);
    }

    [Fact]
    public void CancelStopsTheBaselineWhileFastTreeTrains()
    {
        var file = SharedData.Card("adult");
        var data = TabularData.Build(CsvReader.Read(SharedData.Csv("adult")), file.Card);
        using var cancel = new CancellationTokenSource();
        cancel.CancelAfter(TimeSpan.FromMilliseconds(100)); // FastTree's 100 trees on Adult's 30,000 rows take seconds
        var stopped = Assert.ThrowsAny<OperationCanceledException>(() => MlNetBaseline.Train(data, file.Card, cancellationToken: cancel.Token));
        Assert.Equal(cancel.Token, stopped.CancellationToken);
        Assert.IsAssignableFrom<OperationCanceledException>(stopped.InnerException); // ML.NET stopped inside Fit, not after it
    }
}
