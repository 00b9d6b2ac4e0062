using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Engines.Offline;
using AutoMLGpt.Core.Knowledge.Catalogue;

namespace AutoMLGpt.Tests.Core;

[Trait(TestCategory.Name, TestCategory.Fast)]
public class HyperparameterAdvisorTests
{
    private static Recipe Advise(ExperimentCards cards, string? followUp = null) => HyperparameterAdvisor.Advise(cards, followUp).Recipe;

    [Fact]
    public void KeepsDetrsPublishedOptimiserSettings()
    {
        var r = Advise(PaperExamples.Coco.Create());
        Assert.Equal("AdamW", r["optimizer"]!.Display);
        Assert.Equal(1e-4, r.NumberOf("learning_rate"));
        Assert.Equal(1e-5, r.NumberOf("backbone_learning_rate"));
        Assert.Equal(1e-4, r.NumberOf("weight_decay"));
        Assert.Equal(0.1, r.NumberOf("grad_clip"));
    }

    [Fact]
    public void ScalesTheLearningRateLinearlyWithTheEffectiveBatch()
    {
        var cards = PaperExamples.ImageNetSubset.Create();
        cards.Request.Requests = "";
        cards.Request.Resources = "8 × NVIDIA A100 80GB";
        var reference = Advise(cards);
        Assert.Equal(1024, reference.NumberOf("batch_size"));
        Assert.Equal(1e-4, reference.NumberOf("learning_rate")!.Value, 10); // DeiT 5e-4 × 0.2 for fine-tuning, at the reference batch

        cards.Request.Resources = "1 × GPU with 8 GB";
        var small = Advise(cards);
        var effective = small.NumberOf("batch_size")!.Value;
        Assert.True(effective < 1024, "8 GB with at most 8 accumulation steps cannot reach the reference batch");
        Assert.Equal(1e-4 * effective / 1024, small.NumberOf("learning_rate")!.Value, 10);
        Assert.Contains("linear scaling", small["learning_rate"]!.Rationale);
    }

    [Fact]
    public void ASmallDatasetGetsABatchThatLeavesManyStepsPerEpoch()
    {
        var cards = PaperExamples.ImageNetSubset.Create();
        cards.Data.Name = "Beans";
        cards.Data.Samples = 1_295;
        cards.Data.LabelSpace = "angular_leaf_spot, bean_rust, healthy";
        cards.Request.Resources = "1 × NVIDIA RTX 3090";
        var r = Advise(cards);

        var batch = r.NumberOf("batch_size")!.Value;
        Assert.InRange(batch, 8, 1_295 / 50.0);
        Assert.Equal(1e-4 * batch / 1024, r.NumberOf("learning_rate")!.Value, 10); // scaled with the batch, as the recipe's rule says
    }

    [Fact]
    public void FitsThePerGpuBatchIntoMemoryAndAccumulatesTheRest()
    {
        var cards = PaperExamples.ImageNetSubset.Create();
        cards.Request.Resources = "1 × GPU with 12 GB";
        var r = Advise(cards);
        var perGpu = r.NumberOf("per_gpu_batch_size")!.Value;
        Assert.True(perGpu < 128, $"per-GPU batch {perGpu} cannot be the 128 of the reference on 12 GB");
        Assert.True(r.NumberOf("gradient_accumulation_steps") > 1);
        Assert.Equal(perGpu * r.NumberOf("gradient_accumulation_steps")!.Value, r.NumberOf("batch_size"));
        Assert.Contains("12 GB", r["per_gpu_batch_size"]!.Rationale);
    }

    [Fact]
    public void FasterInferenceShrinksDetrInputAndStatesTheTradeOff()
    {
        var advice = HyperparameterAdvisor.Advise(PaperExamples.Coco.Create());
        Assert.Equal(512, advice.Recipe.NumberOf("image_size"));
        Assert.Contains(advice.TradeOffs, t => t.StartsWith("Faster inference (target 10 FPS)") && t.Contains("AP"));
    }

    [Fact]
    public void FasterInferenceForTheRetrieverShortensQuestions()
    {
        var r = Advise(PaperExamples.NaturalQuestions.Create());
        Assert.Equal(64, r.NumberOf("max_question_length"));
        Assert.Equal(256, r.NumberOf("max_seq_length"));
        Assert.Equal(1e-5, r.NumberOf("learning_rate"));
    }

    [Fact]
    public void SmallTabularDataGetsShallowTreesAndEarlyStopping()
    {
        var cards = PaperExamples.Adult.Create();
        cards.Data.Samples = 800;
        var r = Advise(cards);
        Assert.Equal(4, r.NumberOf("max_depth"));
        Assert.Equal(30, r.NumberOf("early_stopping_rounds"));
        Assert.Equal(0.05, r.NumberOf("learning_rate"));
    }

    [Fact]
    public void CpuOnlyTreesUseTheStatedCores()
    {
        var r = Advise(PaperExamples.Adult.Create());
        Assert.Equal(8, r.NumberOf("n_jobs"));
        Assert.Null(r["device"]);
    }

    [Fact]
    public void ShorterTrainingHalvesEpochsAndHigherAccuracyAddsThem()
    {
        var cards = PaperExamples.ImageNetSubset.Create();
        cards.Request.Requests = "";
        var baseline = Advise(cards).NumberOf("epochs")!.Value;
        Assert.Equal(Math.Round(baseline / 2), Advise(cards, "fewer epochs please").NumberOf("epochs"));
        Assert.Equal(Math.Round(baseline * 1.5), Advise(cards, "higher accuracy").NumberOf("epochs"));
    }

    [Fact]
    public void RationaleExplainsEveryChangedValue()
    {
        var r = Advise(PaperExamples.ImageNetSubset.Create());
        Assert.Contains("fine-tune", r["learning_rate"]!.Rationale);
        Assert.Contains("accumulation", r["batch_size"]!.Rationale);
        Assert.Contains("1.5× the epochs", r["epochs"]!.Rationale); // the card asks for higher accuracy
    }

    [Theory]
    [InlineData("4 × NVIDIA A5000", 4, 24)]
    [InlineData("8x V100 32GB", 8, 32)]
    [InlineData("one RTX 4090", 1, 24)]
    [InlineData("2 GPUs with 40 GB", 2, 40)]
    public void ReadsGpuCountAndMemoryFromFreeText(string text, int gpus, double gb)
    {
        var spec = ResourceSpec.Parse(text);
        Assert.Equal(gpus, spec.GpuCount);
        Assert.Equal(gb, spec.GpuMemoryGb);
    }

    [Theory]
    [InlineData("CPU only, 16 cores", 16)]
    [InlineData("laptop without a GPU", 8)]
    public void ReadsCpuOnlyResources(string text, int cores)
    {
        var spec = ResourceSpec.Parse(text);
        Assert.False(spec.HasGpu);
        Assert.Equal(cores, spec.CpuCores);
    }

    [Theory]
    [InlineData("inference faster than 10 FPS", Intent.FasterInference)]
    [InlineData("it must fit on one 24 GB GPU", Intent.LessMemory)]
    [InlineData("fewer epochs", Intent.ShorterTraining)]
    [InlineData("use a smaller batch", Intent.SmallerBatch)]
    [InlineData("we want higher accuracy", Intent.HigherAccuracy)]
    public void RecognisesCommonRequests(string text, Intent intent)
    {
        Assert.True(IntentSet.Parse(text).Has(intent));
    }
}
