using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Tests.Core;

[Trait(TestCategory.Name, TestCategory.Fast)]
public class PromptParagraphTests
{
    [Fact]
    public void ComposesThePapersFixedFormatForUciAdult()
    {
        var cards = PaperExamples.Adult.Create();
        var text = PromptParagraph.Compose(cards);
        Assert.Equal(
            "Assume we have {Data Card: name: UCI Adult; input data type: tabular; task: binary classification; label space: <=50K, >50K; " +
            "evaluation metric: accuracy, AUC; size: 48,842 samples, 14 features; description: Individuals from the 1994 US Census; predict whether " +
            "annual income exceeds $50K (about 24% do). Missing values in workclass, occupation and native_country.}, " +
            "we adopt {Model Card: name: XGBoost; structure: Gradient-boosted decision trees; description: XGBoost with histogram tree building and " +
            "native categorical support.; architecture hyperparameters: max_depth=6, tree_method=hist} as the model. " +
            "We use {A: Data Processing} and {B: Model Architecture} to process the dataset. " +
            "We use {C: Hyperparameters} on {Resource: CPU only, 8 cores}. Then we get {D: Predicted Training Log}. " +
            "Additional requests: Report AUC as well as accuracy.",
            text);
    }

    [Fact]
    public void IsPureTheSameCardsGiveTheSameText()
    {
        Assert.Equal(PromptParagraph.Compose(PaperExamples.Coco.Create()), PromptParagraph.Compose(PaperExamples.Coco.Create()));
    }

    [Fact]
    public void CollapsesNewLinesSoTheParagraphStaysOneParagraph()
    {
        var cards = PaperExamples.Adult.Create();
        cards.Data.Description = "line one\n\n   line two";
        var text = PromptParagraph.Compose(cards);
        Assert.DoesNotContain('\n', text);
        Assert.Contains("description: line one line two", text);
    }

    [Fact]
    public void NamesUnspecifiedHardwareAndUsesTheTaskDefaultMetric()
    {
        var cards = PaperExamples.Adult.Create();
        cards.Request.Resources = "";
        cards.Request.Requests = "";
        cards.Data.Metrics = "";
        var text = PromptParagraph.Compose(cards);
        Assert.Contains("{Resource: unspecified hardware}", text);
        Assert.Contains("evaluation metric: accuracy;", text);
        Assert.DoesNotContain("Additional requests", text);
    }

    [Fact]
    public void KeepsArchitectureHyperparametersInTheUsersOrder()
    {
        var cards = PaperExamples.Coco.Create();
        var text = PromptParagraph.Compose(cards);
        var order = cards.Model.Parameters.Select(p => text.IndexOf($"{p.Key}={p.Value}", StringComparison.Ordinal)).ToList();
        Assert.All(order, i => Assert.True(i > 0));
        Assert.Equal(order.Order().ToList(), order);
    }
}
