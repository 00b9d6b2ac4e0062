using System.Text.RegularExpressions;
using AutoMLGpt.Core.Knowledge.Catalogue;
using AutoMLGpt.Core.Projects;
using AutoMLGpt.Tests.Fakes;

namespace AutoMLGpt.Tests.Projects;

/// <summary>
/// The Python the offline engine writes is kept as .py templates: each script is linted by pyflakes as a file (its
/// includes expanded, both sides of every section kept), and a template missing a value fails loudly.
/// </summary>
public sealed partial class PythonTemplateTests
{
    // Scripts are the templates no other template includes; the pieces they include are linted inside them.
    private static readonly IReadOnlyList<string> Included = PythonTemplate.Names
        .SelectMany(n => Include().Matches(PythonTemplate.Source(n)).Select(m => m.Groups[1].Value.Trim())).Distinct().ToList();

    public static TheoryData<string> Scripts() => new(PythonTemplate.Names.Where(n => !Included.Contains(n)));

    [Theory]
    [MemberData(nameof(Scripts))]
    [Trait(TestCategory.Name, TestCategory.Python)]
    public async Task EveryScriptTemplatePassesPyflakesAsAFile(string name)
    {
        await Python.RequireAsync("pyflakes");
        var folder = Directory.CreateTempSubdirectory("automlgpt-template-").FullName;
        try
        {
            var file = Path.Combine(folder, name.Replace('/', '_'));
            await File.WriteAllTextAsync(file, PythonTemplate.Expanded(name));
            var flakes = await Python.RunAsync(folder, ["-m", "pyflakes", Path.GetFileName(file)], TimeSpan.FromSeconds(60));
            Assert.True(flakes.ExitCode == 0, $"pyflakes {name}: " + flakes.All);
            var compiled = await Python.RunAsync(folder, ["-m", "py_compile", Path.GetFileName(file)], TimeSpan.FromSeconds(60));
            Assert.True(compiled.ExitCode == 0, compiled.All);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Fast)]
    public void EveryFamilysTrainScriptAndEverySharedPieceIsEmbedded()
    {
        Assert.All(ModelCatalogue.All, f => Assert.Contains(f.TrainTemplate, PythonTemplate.Names));
        // A piece no script includes would escape the lint above.
        Assert.All(PythonTemplate.Names.Where(n => n.Contains("/Shared/", StringComparison.Ordinal) && !n.Contains("train_image_classifier", StringComparison.Ordinal)),
            piece => Assert.Contains(piece, Included));
        Assert.Contains("DataScripts/tabular_trees.py", PythonTemplate.Names);
    }

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Fast)]
    public void AValueATemplateNeedsButIsNotGivenIsAnErrorNotAHole()
    {
        var error = Assert.Throws<InvalidOperationException>(() => PythonTemplate.Render("DataScripts/audio.py", new Dictionary<string, string>()));
        Assert.Contains("DataScripts/header.py needs a value for DATASET", error.Message);
        var flag = Assert.Throws<InvalidOperationException>(() => PythonTemplate.Render("DataScripts/tabular_trees.py", Values(("CLASSIFICATION", "yes"))));
        Assert.Contains("#if CLASSIFICATION needs True or False", flag.Message);
        Assert.Throws<ArgumentException>(() => PythonTemplate.Render("DataScripts/nothing.py", Values()));
    }

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Fast)]
    public void SectionsKeepOneSideAndValuesReplaceTheirLiteralsWhole()
    {
        var classification = PythonTemplate.Render("DataScripts/tabular_trees.py", Values(("CLASSIFICATION", "True")));
        var regression = PythonTemplate.Render("DataScripts/tabular_trees.py", Values(("CLASSIFICATION", "False")));
        Assert.Contains("classes = CLASSES or sorted(labels.unique())", classification);
        Assert.DoesNotContain("y = pd.to_numeric(df[LABEL]", classification);
        Assert.Contains("y = pd.to_numeric(df[LABEL]", regression);
        Assert.Contains("LABEL = \"income\"\n", classification); // the literal "{{LABEL}}" became the value, quotes and all
        Assert.DoesNotContain("{{", classification);
        Assert.DoesNotContain("# {{#if", regression);
    }

    private static Dictionary<string, string> Values(params (string Name, string Value)[] overrides)
    {
        var values = new Dictionary<string, string>
        {
            ["DATASET"] = "adult", ["TASK_DISPLAY"] = "binary classification", ["MODALITY"] = "tabular", ["SIZE"] = "48,842 samples",
            ["FAMILY"] = "LightGBM", ["METRIC"] = "accuracy", ["LABEL"] = "\"income\"", ["CLASSES"] = "[\"<=50K\", \">50K\"]",
            ["NUMERIC"] = "[\"age\"]", ["CATEGORICAL"] = "[\"workclass\"]", ["LIB"] = "lightgbm", ["CLASSIFICATION"] = "True",
        };
        foreach (var (name, value) in overrides) values[name] = value;
        return values;
    }

    [GeneratedRegex(@"^\s*# \{\{>([^}]+)\}\}\s*$", RegexOptions.Multiline)]
    private static partial Regex Include();
}
