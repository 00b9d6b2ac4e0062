using System.Text.Json;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Engines.Offline;
using AutoMLGpt.Core.Knowledge.Catalogue;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.Projects;
using AutoMLGpt.Tests.Fakes;

namespace AutoMLGpt.Tests.Projects;

/// <summary>
/// The generated projects really run: for every paper example and every catalogue family, data.py and train.py
/// compile and pass pyflakes, and train.py's dry run trains one step; tabular projects run end to end on shared
/// datasets. A broken generator fails here (CI installs the Python packages; nothing is skipped).
/// </summary>
[Trait(TestCategory.Name, TestCategory.Python)]
public class GeneratedProjectTests
{
    private static readonly OfflineEngine Offline = new(new OfflineEngineOptions { StreamDelayMilliseconds = 0 });

    internal static async Task<(RunnableProject Project, IReadOnlyDictionary<StageKind, StageOutput> Stages)> GenerateAsync(ExperimentCards cards)
    {
        var stages = new Dictionary<StageKind, StageOutput>();
        await foreach (var u in PipelineRunner.RunAsync(Offline, cards, CancellationToken.None))
            if (u is { Kind: StageUpdateKind.Completed, Output: { } o }) stages[u.Stage] = o;
        Assert.Equal(4, stages.Count);
        return (RunnableProject.From(cards, PromptParagraph.Compose(cards), stages, Offline.Name, modelWritten: false), stages);
    }

    internal static string WriteOut(RunnableProject project)
    {
        var folder = Directory.CreateTempSubdirectory($"automlgpt-project-{project.Family.Key}-").FullName;
        foreach (var (name, text) in project.Files) File.WriteAllText(Path.Combine(folder, name), text);
        return folder;
    }

    /// <summary>A data card each family is made for, with that family's own model card.</summary>
    public static TheoryData<string> Families() => new(ModelCatalogue.All.Select(f => f.Key));

    internal static ExperimentCards CardsFor(ModelFamily family)
    {
        var data = family.Key switch
        {
            "vit" or "swin" or "resnet" => PaperExamples.ImageNetSubset.Create().Data,
            "detr" => PaperExamples.Coco.Create().Data,
            "dpr" => PaperExamples.NaturalQuestions.Create().Data,
            "unet" => new DataCard
            {
                Name = "Kvasir-SEG polyps", Modality = DataModality.Image, Task = MlTask.Segmentation, LabelSpace = "background, polyp",
                Metrics = "Dice", Samples = 1000, Resolution = "256x256", Description = "Colonoscopy frames with a polyp mask each.",
            },
            "bert" => new DataCard
            {
                Name = "SST-2", Modality = DataModality.Text, Task = MlTask.BinaryClassification, LabelSpace = "negative, positive",
                Metrics = "accuracy", Samples = 67_349, Description = "Movie-review sentences labelled by sentiment.",
            },
            _ => SharedData.Card("adult").Card,
        };
        return new ExperimentCards(data, family.TemplateCard(), new ExperimentRequest { Resources = "CPU only, 2 cores" });
    }

    [Theory]
    [MemberData(nameof(Families))]
    public async Task EveryFamilysProjectCompilesPassesPyflakesAndDryRuns(string key)
    {
        await Python.RequireAsync("torch", "torchvision", "scipy", "pandas", "sklearn", "xgboost");
        var family = ModelCatalogue.ByKey(key)!;
        var (project, _) = await GenerateAsync(CardsFor(family));
        Assert.Equal(key, project.Family.Key);
        await AssertRunsAsync(project);
    }

    public static TheoryData<string> Examples() => new(PaperExamples.All.Select(e => e.Key));

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task EveryPaperExamplesProjectCompilesPassesPyflakesAndDryRuns(string key)
    {
        await Python.RequireAsync("torch", "torchvision", "scipy", "pandas", "sklearn", "xgboost");
        var (project, _) = await GenerateAsync(PaperExamples.All.Single(e => e.Key == key).Create());
        await AssertRunsAsync(project);
    }

    private static async Task AssertRunsAsync(RunnableProject project)
    {
        var folder = WriteOut(project);
        try
        {
            var compiled = await Python.RunAsync(folder, ["-m", "py_compile", "data.py", "train.py"], TimeSpan.FromSeconds(60));
            Assert.True(compiled.ExitCode == 0, compiled.All);
            var flakes = await Python.RunAsync(folder, ["-m", "pyflakes", "data.py", "train.py"], TimeSpan.FromSeconds(60));
            Assert.True(flakes.ExitCode == 0, "pyflakes: " + flakes.All);
            if (project.Tabular) return; // tabular projects run for real below
            var dry = await Python.RunAsync(folder, ["train.py", "--dry-run"], TimeSpan.FromSeconds(300));
            Assert.True(dry.ExitCode == 0 && dry.Output.Contains("DRY RUN OK"), $"{project.Family.Key} dry run: {dry.All}");
            Assert.Contains("requirements.txt", project.Files.Keys);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    /// <summary>Runs data.py on a shared dataset and then train.py; returns the METRICS line.</summary>
    internal static async Task<Dictionary<string, double>> TrainEndToEndAsync(RunnableProject project, string dataset, params string[] trainArguments)
    {
        var folder = WriteOut(project);
        try
        {
            var data = await Python.RunAsync(folder, ["data.py", "--csv", SharedData.Csv(dataset), "--out", "prepared"], TimeSpan.FromSeconds(300));
            Assert.True(data.ExitCode == 0, "data.py: " + data.All);
            var train = await Python.RunAsync(folder, ["train.py", "--prepared", "prepared", .. trainArguments], TimeSpan.FromSeconds(600));
            Assert.True(train.ExitCode == 0, "train.py: " + train.All);
            var line = train.Output.Split('\n').Last(l => l.StartsWith("METRICS ", StringComparison.Ordinal));
            return JsonSerializer.Deserialize<Dictionary<string, double>>(line["METRICS ".Length..])!;
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}
