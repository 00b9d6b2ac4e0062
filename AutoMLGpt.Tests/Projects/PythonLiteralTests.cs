using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Knowledge.Catalogue;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.Projects;
using AutoMLGpt.Tests.Fakes;

namespace AutoMLGpt.Tests.Projects;

/// <summary>Card text and stage C can come from a language model: in generated Python they are data, never code.</summary>
[Trait(TestCategory.Name, TestCategory.Python)]
public class PythonLiteralTests
{
    [Theory]
    [InlineData("0.05", "float", "0.05")]
    [InlineData("300", "int", "300")]
    [InlineData("1e-4", "float", "0.0001")]
    [InlineData("true", "", "True")]
    [InlineData("hist", "", "\"hist\"")]
    [InlineData("1; import os; os.system('rm -rf /')", "", "\"1; import os; os.system(\\u0027rm -rf /\\u0027)\"")]
    [InlineData("\"\"\"\nimport os", "", "\"\\u0022\\u0022\\u0022\\nimport os\"")]
    public void StageCValuesBecomeNumbersBooleansOrQuotedStrings(string value, string type, string expected) =>
        Assert.Equal(expected, PythonLiteral.Value(value, type));

    [Fact]
    public async Task HostileCardTextAndStageCRowsCannotInjectCodeIntoTrainPy()
    {
        await Python.RequireAsync("pyflakes");
        var cards = PaperExamples.Adult.Create();
        cards.Data.Name = "Adult\nimport os; os.system('touch /tmp/pwned')";
        cards.Data.LabelColumn = "income\"); import os; (\"";
        var rows = new List<HyperparameterRow>
        {
            new("learning_rate", "0.05", "float", "", ""),
            new("max_depth\": 1, **__import__('os').environ, \"x", "6", "int", "", ""), // not an identifier: dropped
            new("tree_method", "hist\"; import os; \"", "", "", ""),
        };
        var script = TrainScripts.Write(cards, ModelCatalogue.XGBoost, rows);
        Assert.DoesNotContain("\nimport os; os.system", script);
        Assert.DoesNotContain("__import__", script);
        var folder = Directory.CreateTempSubdirectory("automlgpt-literal-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "train.py"), script);
            // Still valid Python with no stray names: the hostile text stayed inside strings and comments.
            var flakes = await Python.RunAsync(folder, ["-m", "pyflakes", "train.py"], TimeSpan.FromSeconds(60));
            Assert.True(flakes.ExitCode == 0, flakes.All);
        }
        finally { Directory.Delete(folder, true); }
    }
}
