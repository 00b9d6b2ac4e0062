using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Tests.Core;

[Trait(TestCategory.Name, TestCategory.Fast)]
public class CardValidatorTests
{
    private static ExperimentCards Adult() => PaperExamples.Adult.Create();

    [Fact]
    public void AcceptsEveryPaperExample()
    {
        foreach (var example in PaperExamples.All)
            Assert.Empty(CardValidator.Validate(example.Create()));
    }

    [Fact]
    public void RequiresDatasetNameLabelSpaceAndModelName()
    {
        var errors = CardValidator.Validate(new ExperimentCards(new DataCard(), new ModelCard(), new ExperimentRequest()));
        Assert.Equal(["Data.Name", "Data.LabelSpace", "Model.Name"], errors.Select(e => e.Field).ToArray());
        Assert.Contains(errors, e => e.Message == "Dataset name is required.");
    }

    [Fact]
    public void RejectsANameOverTwoHundredCharactersWithItsLength()
    {
        var cards = Adult();
        cards.Data.Name = new string('a', 201);
        var error = Assert.Single(CardValidator.Validate(cards));
        Assert.Equal("Data.Name", error.Field);
        Assert.Contains("201", error.Message);
        Assert.Contains("200", error.Message);
    }

    [Fact]
    public void AcceptsADescriptionOfExactlyTheLimitButNotOneMore()
    {
        var cards = Adult();
        cards.Data.Description = new string('x', CardValidator.DescriptionMax);
        Assert.Empty(CardValidator.Validate(cards));
        cards.Data.Description += "x";
        Assert.Equal("Data.Description", Assert.Single(CardValidator.Validate(cards)).Field);
    }

    [Theory]
    [InlineData("evil\u202Ename")]
    [InlineData("null\0byte")]
    [InlineData("line\nbreak")]
    public void RejectsControlAndTextDirectionCharactersInNames(string name)
    {
        var cards = Adult();
        cards.Model.Name = name;
        Assert.Contains(CardValidator.Validate(cards), e => e.Field == "Model.Name" && e.Message.Contains("control"));
    }

    [Fact]
    public void AllowsNewLinesInDescriptions()
    {
        var cards = Adult();
        cards.Data.Description = "first line\nsecond line";
        Assert.Empty(CardValidator.Validate(cards));
    }

    [Fact]
    public void RejectsBinaryClassificationWithThreeClasses()
    {
        var cards = Adult();
        cards.Data.LabelSpace = "low, medium, high";
        Assert.Contains(CardValidator.Validate(cards), e => e.Field == "Data.LabelSpace" && e.Message.Contains("multi-class"));
    }

    [Theory]
    [InlineData("224x224", true)]
    [InlineData("640 × 480", true)]
    [InlineData("big", false)]
    [InlineData("4x4", false)]
    public void ChecksTheResolutionFormatAndBounds(string resolution, bool valid)
    {
        var cards = PaperExamples.ImageNetSubset.Create();
        cards.Data.Resolution = resolution;
        Assert.Equal(valid, !CardValidator.Validate(cards).Any(e => e.Field == "Data.Resolution"));
    }

    [Fact]
    public void RejectsDetectionOnTablesAndDuplicateArchitectureKeys()
    {
        var cards = Adult();
        cards.Data.Task = MlTask.ObjectDetection;
        cards.Model.Parameters.Add(new CardParameter("MAX_DEPTH", "4"));
        var fields = CardValidator.Validate(cards).Select(e => e.Field).ToList();
        Assert.Contains("Data.Task", fields);
        Assert.Contains("Model.Parameters[2].Key", fields);
    }

    [Fact]
    public void RejectsNonPositiveSampleCounts()
    {
        var cards = Adult();
        cards.Data.Samples = 0;
        Assert.Equal("Data.Samples", Assert.Single(CardValidator.Validate(cards)).Field);
    }

    [Fact]
    public void CountsClassesFromADescribedLabelSpace()
    {
        var card = PaperExamples.ImageNetSubset.Create().Data;
        Assert.Equal(100, card.ClassCount);
        Assert.Equal(2, PaperExamples.Adult.Create().Data.ClassCount);
    }
}
