using System.IO.Compression;
using System.Text.Json;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.Projects;
using AutoMLGpt.Core.Reports;
using AutoMLGpt.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace AutoMLGpt.Tests.Projects;

[Trait(TestCategory.Name, TestCategory.Python)]
public class ScriptCheckAndExportTests
{
    private static ScriptChecker Checker() => new(new ScriptCheckOptions { Python = Python.Interpreter }, NullLogger<ScriptChecker>.Instance);

    [Fact]
    public async Task CheckScriptReportsUndefinedNamesAndSyntaxErrorsWithoutRunningTheCode()
    {
        await Python.RequireAsync("pyflakes");
        var marker = Path.Combine(Path.GetTempPath(), $"automlgpt-ran-{Guid.NewGuid():N}");
        // If anything executed this, the marker file would exist afterwards.
        var hostile = $"import os\nopen({JsonSerializer.Serialize(marker)}, 'w').write('ran')\nprint(undefined_thing)\n";
        var result = await Checker().CheckAsync(new Dictionary<string, string> { ["data.py"] = hostile, ["train.py"] = "def f(:\n    pass\n" }, CancellationToken.None);

        Assert.True(result.Ran, result.Summary);
        Assert.Contains(result.Findings, f => f.File == "data.py" && f.Line == 3 && f.Message.Contains("undefined name 'undefined_thing'"));
        Assert.Contains(result.Findings, f => f.File == "data.py" && f.Message.Contains("'os' imported but unused"));
        Assert.Contains(result.Findings, f => f.File == "train.py" && f.Line == 1);
        Assert.False(File.Exists(marker), "the checked code must never run");
        Assert.Contains("empty environment", result.Sandbox);
        Assert.Contains("undefined_thing", result.FollowUp());
    }

    [Fact]
    public async Task TheOfflineEnginesScriptsCheckClean()
    {
        await Python.RequireAsync("pyflakes");
        var (project, _) = await GeneratedProjectTests.GenerateAsync(PaperExamples.Adult.Create());
        var result = await Checker().CheckAsync(project.Files.Where(f => f.Key.EndsWith(".py")).ToDictionary(), CancellationToken.None);
        Assert.True(result.Clean, string.Join("\n", result.Findings.Select(f => $"{f.File}:{f.Line} {f.Message}")) + result.Summary);
    }

    [Fact]
    public async Task AMissingInterpreterSaysWhatToInstall()
    {
        var checker = new ScriptChecker(new ScriptCheckOptions { Python = "/nonexistent/python3" }, NullLogger<ScriptChecker>.Instance);
        var result = await checker.CheckAsync(new Dictionary<string, string> { ["data.py"] = "x = 1\n" }, CancellationToken.None);
        Assert.False(result.Ran);
        Assert.Contains("ScriptCheck:Python", result.Summary);
    }

    [Fact]
    public async Task TheNotebookIsNbformat4WithTheCardsPromptAndBothScriptsAsCells()
    {
        await Python.RequireAsync("pandas");
        var cards = PaperExamples.Adult.Create();
        var (project, _) = await GeneratedProjectTests.GenerateAsync(cards);
        var notebook = JsonDocument.Parse(RunnableProject.Notebook(cards, PromptParagraph.Compose(cards), project)).RootElement;
        Assert.Equal(4, notebook.GetProperty("nbformat").GetInt32());
        var cells = notebook.GetProperty("cells").EnumerateArray().ToList();
        Assert.All(cells, c => Assert.False(string.IsNullOrEmpty(c.GetProperty("id").GetString())));
        string Source(JsonElement c) => string.Concat(c.GetProperty("source").EnumerateArray().Select(l => l.GetString()));
        Assert.Contains(cells, c => c.GetProperty("cell_type").GetString() == "markdown" && Source(c).Contains("| Dataset | UCI Adult |"));
        Assert.Contains(cells, c => Source(c).Contains(PromptParagraph.Compose(cards)[..40]));
        var code = cells.Where(c => c.GetProperty("cell_type").GetString() == "code").Select(Source).Where(s => !s.StartsWith('%')).ToList();
        Assert.Equal(2, code.Count);
        // Every code cell is valid Python as it stands.
        var folder = Directory.CreateTempSubdirectory("automlgpt-notebook-").FullName;
        try
        {
            for (var i = 0; i < code.Count; i++) File.WriteAllText(Path.Combine(folder, $"cell{i}.py"), code[i]);
            var compiled = await Python.RunAsync(folder, ["-m", "py_compile", "cell0.py", "cell1.py"], TimeSpan.FromSeconds(60));
            Assert.True(compiled.ExitCode == 0, compiled.All);
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public async Task TheBundleCarriesTheRunnableProjectTheNotebookAndTheTags()
    {
        await using var db = await TestDatabase.CreateAsync();
        var plan = await db.Runner.PlanFirstRunAsync(PaperExamples.Coco.Create(), new AutoMLGpt.Core.Engines.Offline.OfflineEngine(new() { StreamDelayMilliseconds = 0 }));
        await foreach (var _ in db.Runner.RunAsync(plan, CancellationToken.None)) { }
        await db.Store.SetTagsAsync(plan.ExperimentId, ["detection", "paper"]);
        var buffer = new MemoryStream();
        Assert.True(await db.Services.GetRequiredService<ExperimentBundles>().ExportAsync(plan.ExperimentId, buffer));
        using var zip = new ZipArchive(new MemoryStream(buffer.ToArray()));
        var names = zip.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("project/data.py", names);
        Assert.Contains("project/train.py", names);
        Assert.Contains("project/requirements.txt", names);
        Assert.Contains("project/README.md", names);
        Assert.Contains("project/experiment.ipynb", names);
        using var reader = new StreamReader(zip.GetEntry("project/train.py")!.Open());
        Assert.Contains("class Detr(nn.Module)", await reader.ReadToEndAsync());
        // And it still imports: the project files are part of the bundle, not a problem for it.
        buffer.Position = 0;
        var imported = await db.Services.GetRequiredService<ExperimentBundles>().ImportAsync(buffer, "coco_bundle.zip");
        Assert.Equal(["detection", "paper"], (await db.Store.GetAsync(imported))!.TagList); // tags travel with the bundle
    }
}
