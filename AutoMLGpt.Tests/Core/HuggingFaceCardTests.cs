using System.Text.Json;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Cards.HuggingFace;
using AutoMLGpt.Tests.Fakes;

namespace AutoMLGpt.Tests.Core;

[Trait(TestCategory.Name, TestCategory.Fast)]
public sealed class HuggingFaceCardTests
{
    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "huggingface", name));
    private static string Json<T>(T value) => JsonSerializer.Serialize(value);

    public static TheoryData<string> Examples() => new(PaperExamples.All.Select(e => e.Key));

    [Theory, MemberData(nameof(Examples))]
    public void PaperExampleCardsSurviveExportAndImportUnchanged(string key)
    {
        var cards = PaperExamples.All.Single(e => e.Key == key).Create();
        cards.Data.License = "cc-by-4.0";

        var data = HuggingFaceCards.ImportDataCard(HuggingFaceCards.ExportDataCard(cards.Data));
        var model = HuggingFaceCards.ImportModelCard(HuggingFaceCards.ExportModelCard(cards.Model, cards.Data, cards.Request));

        Assert.Equal(Json(cards.Data), Json(data.Card));
        Assert.Equal(Json(cards.Model), Json(model.Card));
        Assert.Equal(Json(cards.Request), Json(model.Request));
    }

    [Fact]
    public void EverySharedDatasetCardSurvivesTheRoundTrip()
    {
        var folders = Directory.GetDirectories(SharedData.Datasets).Where(d => File.Exists(Path.Combine(d, "datacard.json"))).ToList();
        Assert.True(folders.Count >= 30, $"expected the shared datasets, found {folders.Count}");
        foreach (var folder in folders)
        {
            var card = DatasetCardFile.Load(Path.Combine(folder, "datacard.json")).Card;
            var back = HuggingFaceCards.ImportDataCard(HuggingFaceCards.ExportDataCard(card)).Card;
            Assert.Equal(Json(card), Json(back));
        }
    }

    [Fact]
    public void APickedDatacardJsonImportsWithItsFieldsAndABrokenOneSaysWhatIsWrong()
    {
        var text = File.ReadAllText(Path.Combine(SharedData.Datasets, "abalone", "datacard.json"));

        var imported = CardFiles.ImportData("datacard.json", text);

        Assert.Equal("abalone", imported.Card.Name);
        Assert.Equal("RMSE", imported.Card.Metrics);
        Assert.Contains("rings", imported.Card.Description + imported.Card.LabelSpace);
        Assert.StartsWith("CC BY 4.0", imported.Card.License);
        Assert.Contains(imported.Notes, n => n.Contains("datacard.json"));
        // A JSON file is recognised by its content too, whatever it is called.
        Assert.Equal("abalone", CardFiles.ImportData("card.txt", "\uFEFF  " + text).Card.Name);

        var broken = Assert.Throws<CardImportException>(() => CardFiles.ImportData("datacard.json", text[..(text.Length / 2)]));
        Assert.StartsWith("This JSON is not a datacard.json", broken.Message);
        var model = Assert.Throws<CardImportException>(() => CardFiles.ImportModel("model.json", "{}"));
        Assert.Contains("README.md", model.Message);
    }

    [Fact]
    public void AwkwardTextSurvivesTheRoundTrip()
    {
        var card = PaperExamples.Adult.Create().Data;
        card.Name = "  'quoted: name' # not a comment ";
        card.Description = "# Looks like a heading\n\n## Dataset Description\nnull\n---\n[More Information Needed] ends here";
        card.LabelSpace = "yes, no";
        card.Metrics = "true, 1e5, ~";
        card.Resolution = null;
        var model = PaperExamples.Coco.Create().Model;
        model.Parameters.Add(new("null", "~"));
        model.Parameters.Add(new("weird | key", "- not a list"));
        model.Description = "";

        Assert.Equal(Json(card), Json(HuggingFaceCards.ImportDataCard(HuggingFaceCards.ExportDataCard(card)).Card));
        Assert.Equal(Json(model), Json(HuggingFaceCards.ImportModelCard(HuggingFaceCards.ExportModelCard(model)).Card));
    }

    [Fact]
    public void AHubTabularCardMapsItsFeaturesLabelMetricsAndSize()
    {
        var imported = HuggingFaceCards.ImportDataCard(Fixture("adult-census-income.md"));
        var card = imported.Card;

        Assert.Equal("Adult Census Income", card.Name);
        Assert.Equal("cc-by-4.0", card.License);
        Assert.Equal(DataModality.Tabular, card.Modality);
        Assert.Equal(MlTask.BinaryClassification, card.Task); // two class names
        Assert.Equal("income", card.LabelColumn);
        Assert.Equal("<=50K, >50K", card.LabelSpace);
        Assert.Equal("accuracy, roc_auc", card.Metrics);
        Assert.Equal(32561, card.Samples);
        Assert.Equal(14, card.Features);
        Assert.Equal("age, fnlwgt, education.num, capital.gain, capital.loss, hours.per.week", card.NumericColumns);
        Assert.StartsWith("workclass, education, marital.status", card.CategoricalColumns);
        Assert.StartsWith("This data was extracted from the 1994 Census", card.Description);
        Assert.Empty(CardValidator.Validate(card));
    }

    [Fact]
    public void AHubImageCardMapsClassesAndSumsItsSplits()
    {
        var card = HuggingFaceCards.ImportDataCard(Fixture("beans.md")).Card;

        Assert.Equal("Beans", card.Name);
        Assert.Equal(DataModality.Image, card.Modality);
        Assert.Equal(MlTask.MulticlassClassification, card.Task);
        Assert.Equal("angular_leaf_spot, bean_rust, healthy", card.LabelSpace);
        Assert.Equal("labels", card.LabelColumn);
        Assert.Equal(1034 + 133 + 128, card.Samples);
        Assert.Equal("mit", card.License);
        Assert.Equal("Beans leaf dataset with images of diseased and health leaves.", card.Description);
        Assert.Null(card.NumericColumns); // column lists and counts are for tables only
        Assert.Null(card.Features);
    }

    [Fact]
    public void AHubQaCardWithoutClassesSaysWhatToFill()
    {
        var imported = HuggingFaceCards.ImportDataCard(Fixture("squad-retriever.md"));

        Assert.Equal(MlTask.QuestionAnswering, imported.Card.Task);
        Assert.Equal(DataModality.Text, imported.Card.Modality);
        Assert.Equal(98169, imported.Card.Samples);
        Assert.Equal("squad", imported.Card.Metrics);
        Assert.Contains(imported.Notes, n => n.Contains("label space"));
        Assert.Contains(CardValidator.Validate(imported.Card), e => e.Field == "Data.LabelSpace");
    }

    [Fact]
    public void ATrainerGeneratedModelCardMapsNameStructureHyperparametersAndResults()
    {
        var imported = HuggingFaceCards.ImportModelCard(Fixture("vit-base-beans.md"));
        var card = imported.Card;

        Assert.Equal("vit-base-beans", card.Name);
        Assert.Equal("image classification model, transformers library, fine-tuned from google/vit-base-patch16-224-in21k", card.Structure);
        Assert.StartsWith("A ViT-Base/16 image classifier", card.Description);
        Assert.Equal("2e-05", card.Parameter("learning_rate"));
        Assert.Equal("8", card.Parameter("train_batch_size"));
        Assert.Equal("Adam with betas=(0.9,0.999) and epsilon=1e-08", card.Parameter("optimizer"));
        Assert.Equal(7, card.Parameters.Count);
        Assert.Contains(imported.Notes, n => n.Contains("Accuracy = 0.9849624060150376 on beans"));
        Assert.Contains(imported.Notes, n => n.Contains("apache-2.0"));
        Assert.Empty(CardValidator.Validate(card));
    }

    [Fact]
    public void CardsOfTheOtherKindAreRefusedWithWhereToImportThem()
    {
        var model = Assert.Throws<CardImportException>(() => HuggingFaceCards.ImportDataCard(Fixture("vit-base-beans.md")));
        Assert.Contains("model card", model.Message);
        var data = Assert.Throws<CardImportException>(() => HuggingFaceCards.ImportModelCard(Fixture("beans.md")));
        Assert.Contains("dataset card", data.Message);
    }

    [Theory]
    [InlineData("---\na: &x [1,2]\nb: *x\n---\n", "anchors")]
    [InlineData("---\na: [1]\nb: *x\n---\n", "aliases")]
    [InlineData("---\npretty_name: a\npretty_name: b\n---\n", "twice")]
    [InlineData("---\npretty_name: a\n", "never ends")]
    [InlineData("---\npretty_name: [unclosed\n---\n", "line")]
    [InlineData("---\n- a\n- b\n---\n", "mapping")]
    [InlineData("---\na: 1\n---\nbody\n---\nb: 2\n", "")] // a later --- line is body text, not a second document
    [InlineData("", "empty")]
    public void HostileOrBrokenFrontMatterGetsAClearError(string text, string expected)
    {
        if (expected.Length == 0)
        {
            Assert.Equal("1", FrontMatter.Parse(text).Yaml["a"]);
            return;
        }
        var error = Assert.Throws<CardImportException>(() => HuggingFaceCards.ImportDataCard(text));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void BillionLaughsIsRefusedBeforeItExpands()
    {
        var yaml = "---\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n" +
                   string.Join("\n", Enumerable.Range(0, 9).Select(i => $"{(char)('b' + i)}: &{(char)('b' + i)} [{string.Join(",", Enumerable.Repeat($"*{(char)('a' + i)}", 9))}]")) + "\n---\n";
        var error = Assert.Throws<CardImportException>(() => FrontMatter.Parse(yaml));
        Assert.Contains("anchors", error.Message);
    }

    [Fact]
    public void DeepNestingHugeFilesAndNodeFloodsAreBounded()
    {
        var deep = "---\na: " + new string('[', 200) + new string(']', 200) + "\n---\n";
        Assert.Contains("deeper", Assert.Throws<CardImportException>(() => FrontMatter.Parse(deep)).Message);

        var huge = "---\npretty_name: x\n---\n" + new string('x', FrontMatter.MaxFileChars);
        Assert.Contains("at most", Assert.Throws<CardImportException>(() => FrontMatter.Parse(huge)).Message);

        var flood = "---\na: [" + string.Join(",", Enumerable.Repeat("1", FrontMatter.MaxNodes + 10)) + "]\n---\n";
        Assert.Contains("values", Assert.Throws<CardImportException>(() => FrontMatter.Parse(flood)).Message);
    }

    [Fact]
    public void YamlTagsNeverInstantiateAnything()
    {
        var file = FrontMatter.Parse("---\npretty_name: !!python/object/apply:os.system [\"rm -rf /\"]\nlicense: !custom mit\n---\n");
        Assert.Equal("mit", file.Yaml["license"]);
        Assert.Equal(["rm -rf /"], Assert.IsType<List<object?>>(file.Yaml["pretty_name"]));
    }
}
