using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Engines.Offline;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.Knowledge.Catalogue;

namespace AutoMLGpt.Tests.Core;

[Trait(TestCategory.Name, TestCategory.Fast)]
public class OfflineEngineTests
{
    private static readonly OfflineEngine Engine = new(new OfflineEngineOptions { StreamDelayMilliseconds = 0 });

    public static TheoryData<string> FamilyKeys() => new(ModelCatalogue.All.Select(f => f.Key));

    /// <summary>A data card each family is meant for, so every family is exercised on its home ground.</summary>
    private static DataCard DataFor(ModelFamily family) => family.Key switch
    {
        "detr" => PaperExamples.Coco.Create().Data,
        "dpr" => PaperExamples.NaturalQuestions.Create().Data,
        "unet" => new DataCard { Name = "Kvasir-SEG", Modality = DataModality.Image, Task = MlTask.Segmentation, LabelSpace = "background, polyp", Metrics = "Dice, mIoU", Samples = 1000, Resolution = "512x512" },
        "bert" => new DataCard { Name = "SST-2", Modality = DataModality.Text, Task = MlTask.BinaryClassification, LabelSpace = "negative, positive", Metrics = "accuracy", Samples = 67_349 },
        "xgboost" or "lightgbm" or "mlp" => PaperExamples.Adult.Create().Data,
        _ => new DataCard { Name = "Oxford Flowers-102", Modality = DataModality.Image, Task = MlTask.MulticlassClassification, LabelSpace = "102 classes of flowers", Metrics = "top-1 accuracy", Samples = 8_189, Resolution = "500x500" },
    };

    private static async Task<Dictionary<StageKind, StageOutput>> RunAllAsync(ExperimentCards cards)
    {
        var outputs = new Dictionary<StageKind, StageOutput>();
        await foreach (var u in PipelineRunner.RunAsync(Engine, cards, CancellationToken.None))
        {
            Assert.NotEqual(StageUpdateKind.Failed, u.Kind);
            if (u.Output is { } o) outputs[u.Stage] = o;
        }
        return outputs;
    }

    [Theory]
    [MemberData(nameof(FamilyKeys))]
    public async Task EveryCatalogueFamilyProducesAllFourStagesWithSpecificContent(string key)
    {
        var family = ModelCatalogue.ByKey(key)!;
        var cards = new ExperimentCards(DataFor(family), family.TemplateCard(), new ExperimentRequest { Resources = "2 × NVIDIA A100 80GB" });
        var outputs = await RunAllAsync(cards);

        Assert.Equal(StageNames.InOrder, outputs.Keys.Order().ToArray());
        var script = outputs[StageKind.DataProcessing].Text;
        Assert.Contains("def ", script);
        Assert.Contains(cards.Data.Name, script);
        Assert.DoesNotContain("TODO", script, StringComparison.OrdinalIgnoreCase);
        if (cards.Data.Classes.Count is > 0 and < 20 && cards.Data.ClassCount == cards.Data.Classes.Count)
            Assert.Contains($"\"{cards.Data.Classes[0]}\"", script);

        var architecture = outputs[StageKind.ModelArchitecture].Text;
        Assert.Contains("**Input**", architecture);
        Assert.Contains("**Output**", architecture);
        Assert.Contains("**Loss**", architecture);
        Assert.Contains(family.Source.Split(',')[0], architecture);

        var table = outputs[StageKind.Hyperparameters].Hyperparameters!;
        Assert.Contains(table, r => r.Name == "learning_rate");
        Assert.All(table, r => Assert.False(string.IsNullOrWhiteSpace(r.Value), $"{r.Name} has no value"));

        var log = outputs[StageKind.TrainingLog];
        Assert.NotNull(log.Curve);
        Assert.Contains("PREDICTION", log.Text);
        Assert.InRange(log.Curve!.Final, log.Curve.Low, log.Curve.High);
        Assert.True(log.Curve.Points.Count >= 5, "a learning curve has several points");
    }

    [Fact]
    public async Task ArchitectureUsesTheModelCardsHyperparameters()
    {
        var cards = PaperExamples.ImageNetSubset.Create();
        cards.Model.Parameters.Single(p => p.Key == "num_layers").Value = "24";
        cards.Model.Parameters.Single(p => p.Key == "hidden_size").Value = "1024";
        cards.Model.Parameters.Single(p => p.Key == "num_heads").Value = "16";
        cards.Model.Parameters.Single(p => p.Key == "mlp_dim").Value = "4096";
        var outputs = await RunAllAsync(cards);
        var text = outputs[StageKind.ModelArchitecture].Text;
        Assert.Contains("24 pre-norm Transformer blocks", text);
        Assert.Contains("linear 1024 → 100", text);
        Assert.Contains("about 303M trainable parameters", text); // ViT-L/16 has ~304M
    }

    [Fact]
    public async Task AdultExamplePredictsAnchoredAccuracyInXGBoostLogStyle()
    {
        var outputs = await RunAllAsync(PaperExamples.Adult.Create());
        var log = outputs[StageKind.TrainingLog];
        Assert.Contains("validation-", log.Text);
        Assert.Contains("Gorishniy", log.Curve!.Basis);
        Assert.Equal(0.871, log.Curve.Final, 3);
        var script = outputs[StageKind.DataProcessing].Text;
        Assert.Contains("LABEL = \"income\"", script);
        Assert.Contains("\"native_country\"", script);
        Assert.Contains("stratify", script);
    }

    [Fact]
    public async Task StreamsEachStageInSeveralDeltasBeforeCompleting()
    {
        var deltas = new Dictionary<StageKind, int>();
        await foreach (var u in PipelineRunner.RunAsync(Engine, PaperExamples.Coco.Create(), CancellationToken.None))
            if (u.Kind == StageUpdateKind.Delta) deltas[u.Stage] = deltas.GetValueOrDefault(u.Stage) + 1;
        Assert.All(StageNames.InOrder, s => Assert.True(deltas[s] > 5, $"{s} streamed {deltas.GetValueOrDefault(s)} deltas"));
    }

    [Fact]
    public async Task IsDeterministic()
    {
        var a = await RunAllAsync(PaperExamples.NaturalQuestions.Create());
        var b = await RunAllAsync(PaperExamples.NaturalQuestions.Create());
        Assert.All(StageNames.InOrder, s => Assert.Equal(a[s].Text, b[s].Text));
    }

    [Fact]
    public async Task UnknownModelFallsBackToTheClosestFamilyAndSaysSo()
    {
        var cards = PaperExamples.Adult.Create() with { Model = new ModelCard { Name = "MyForest 3000" } };
        var outputs = await RunAllAsync(cards);
        Assert.Contains("No catalogue family matches \"MyForest 3000\"", outputs[StageKind.ModelArchitecture].Text);
        Assert.Contains(outputs[StageKind.Hyperparameters].Hyperparameters!, r => r.Name == "num_leaves");
    }

    [Fact]
    public async Task ScriptsEscapeQuotesInCardText()
    {
        var cards = PaperExamples.Adult.Create();
        cards.Data.LabelSpace = "no\"pe, y\\es";
        var script = (await RunAllAsync(cards))[StageKind.DataProcessing].Text;
        Assert.Contains("CLASSES = [\"no\\\"pe\", \"y\\\\es\"]", script);
    }
}
