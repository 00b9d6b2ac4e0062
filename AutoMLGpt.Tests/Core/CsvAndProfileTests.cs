using System.Text;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Training;
using AutoMLGpt.Tests.Fakes;

namespace AutoMLGpt.Tests.Core;

[Trait(TestCategory.Name, TestCategory.Fast)]
public class CsvAndProfileTests
{
    private static CsvTable Read(string text, Encoding? encoding = null) => CsvReader.Read(new MemoryStream((encoding ?? new UTF8Encoding(false)).GetBytes(text)));
    private static string Error(string text) => Assert.Throws<CsvFormatException>(() => Read(text)).Message;

    [Fact]
    public void ReadsQuotedFieldsWithSeparatorsQuotesAndNewLines()
    {
        var t = Read("name,note,y\n\"Smith, J\",\"said \"\"hi\"\"\nthen left\",1\nLee,,0\n");
        Assert.Equal(["name", "note", "y"], t.Columns);
        Assert.Equal("Smith, J", t.Rows[0][0]);
        Assert.Equal("said \"hi\"\nthen left", t.Rows[0][1]);
        Assert.Null(t.Rows[1][1]); // empty cell = missing
    }

    [Theory]
    [InlineData("a;b;c\n1;2;3\n", ';')]
    [InlineData("a\tb\tc\n1\t2\t3\n", '\t')]
    [InlineData("a,b,c\r\n1,2,3\r\n", ',')]
    public void DetectsTheSeparator(string text, char separator)
    {
        var t = Read(text);
        Assert.Equal(separator, t.Separator);
        Assert.Equal(["1", "2", "3"], t.Rows[0]);
    }

    [Fact]
    public void AcceptsAUtf8ByteOrderMark()
    {
        var t = CsvReader.Read(new MemoryStream([.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes("größe,y\n1,a\n")]));
        Assert.Equal("größe", t.Columns[0]);
    }

    [Fact]
    public void TreatsCommonMissingMarkersAsMissing()
    {
        var t = Read("a,b\n?,NA\n1,2\n");
        Assert.Null(t.Rows[0][0]);
        Assert.Null(t.Rows[0][1]);
    }

    [Fact]
    public void ExplainsEachFileItCannotRead()
    {
        Assert.Equal("The file is empty.", Error(""));
        Assert.Equal("The file is empty.", Error("  \n \n"));
        Assert.Equal("The file has a header but no data rows.", Error("a,b,c\n"));
        Assert.StartsWith("Row 3 has 2 fields but the header has 3", Error("a,b,c\n1,2,3\n4,5\n"));
        Assert.StartsWith("The header names \"a\" 2 times", Error("a,b,a\n1,2,3\n"));
        Assert.Equal(["a", "A"], Read("a,A\n1,2\n").Columns); // case differs: two columns
        Assert.Contains("never closed", Error("a,b\n\"1,2\n"));
        var latin1 = Assert.Throws<CsvFormatException>(() => CsvReader.Read(new MemoryStream(Encoding.Latin1.GetBytes("größe,y\n1,ä\n")))).Message;
        Assert.StartsWith("The file is not UTF-8", latin1);
    }

    [Fact]
    public void RefusesAFileOverTheLimitBeforeReadingIt()
    {
        var path = Path.GetTempFileName();
        try
        {
            using (var f = File.OpenWrite(path)) f.SetLength(3 * 1024 * 1024);
            var ex = Assert.Throws<CsvFormatException>(() => CsvReader.Read(path, new CsvReadOptions { MaxBytes = 1024 * 1024 }));
            Assert.Contains("the limit is 1 MB", ex.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void ProfilesAdultIntoTheCardItsPublishersWrote()
    {
        var table = CsvReader.Read(SharedData.Csv("adult"));
        var profile = DataProfiler.Profile(table);
        var reference = SharedData.Card("adult").Card;
        Assert.Equal("income", profile.LabelColumn);
        Assert.Equal(MlTask.BinaryClassification, profile.SuggestedTask);
        Assert.Equal("AUC", profile.SuggestedMetric); // 24% positive: the INDEX convention would be AUC; the paper uses accuracy
        Assert.Equal(reference.NumericColumnList.Order(), profile.Features.Where(c => c.Kind == ColumnKind.Numeric).Select(c => c.Name).Order());
        Assert.Equal(reference.CategoricalColumnList.Order(), profile.Features.Where(c => c.Kind == ColumnKind.Categorical).Select(c => c.Name).Order());
        Assert.Equal(2799, profile.Column("workclass").Missing);
        Assert.Equal([("<=50K", 37155), (">50K", 11687)], profile.ClassCounts);

        var card = profile.ToDataCard("adult");
        Assert.Empty(CardValidator.Validate(card));
        Assert.Equal(48_842, card.Samples);
        Assert.Contains("workclass", card.Description);
    }

    [Theory]
    [InlineData("concrete_strength", MlTask.Regression, "RMSE")]
    [InlineData("vehicle_silhouettes", MlTask.MulticlassClassification, "accuracy")]
    [InlineData("sonar", MlTask.BinaryClassification, "accuracy")]
    public void SuggestsTheTaskAndMetricTheDatasetCardsUse(string dataset, MlTask task, string metric)
    {
        var profile = DataProfiler.Profile(CsvReader.Read(SharedData.Csv(dataset)));
        Assert.Equal(SharedData.Card(dataset).Card.LabelColumn, profile.LabelColumn);
        Assert.Equal(task, profile.SuggestedTask);
        Assert.Equal(metric, profile.SuggestedMetric);
    }

    [Fact]
    public void ALastColumnWithFewCategoriesBeatsANumericColumnMerelyNamedLikeATarget()
    {
        // A numeric "price" is a feature here; the two-valued last column is what to predict.
        var rows = string.Join("\n", Enumerable.Range(0, 60).Select(i => $"{100 + i * 3.5},{i % 7},{(i % 3 == 0 ? "yes" : "no")}"));
        var profile = DataProfiler.Profile(CsvReader.Read(new MemoryStream(System.Text.Encoding.UTF8.GetBytes("price,rooms,sold\n" + rows))));
        Assert.Equal("sold", profile.LabelColumn);
        Assert.Equal(MlTask.BinaryClassification, profile.SuggestedTask);
        Assert.Contains("price", profile.LabelCandidates);
        // A strong name still decides, wherever it is.
        var named = DataProfiler.Profile(CsvReader.Read(new MemoryStream(System.Text.Encoding.UTF8.GetBytes("target,rooms,sold\n" + rows))));
        Assert.Equal("target", named.LabelColumn);
    }

    [Theory]
    [InlineData("wine_quality")]
    [InlineData("abalone")]
    [InlineData("car_prices_kbb")]
    [InlineData("telco_customer_churn")]
    [InlineData("titanic")]
    public void TheLabelGuessMatchesTheSharedCards(string dataset) =>
        Assert.Equal(SharedData.Card(dataset).Card.LabelColumn, DataProfiler.Profile(CsvReader.Read(SharedData.Csv(dataset))).LabelColumn);
}
