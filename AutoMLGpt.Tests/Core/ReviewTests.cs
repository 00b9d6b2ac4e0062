using Microsoft.EntityFrameworkCore;
using System.IO.Compression;
using System.Text.Json;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Cards.HuggingFace;
using AutoMLGpt.Core.Engines.Offline;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Library;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.Reports;
using AutoMLGpt.Core.TrainingJobs;
using AutoMLGpt.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using AutoMLGpt.Core.Knowledge.Catalogue;

namespace AutoMLGpt.Tests.Core;

/// <summary>History review: the card library, filters and pins, versions, comparison, bundles and reports.</summary>
[Trait(TestCategory.Name, TestCategory.Fast)]
public sealed class ReviewTests
{
    private static readonly OfflineEngine Offline = new(new OfflineEngineOptions { StreamDelayMilliseconds = 0 });

    private static async Task<Guid> RunAsync(TestDatabase db, ExperimentCards cards, IExperimentEngine? engine = null)
    {
        var plan = await db.Runner.PlanFirstRunAsync(cards, engine ?? Offline);
        await foreach (var _ in db.Runner.RunAsync(plan, CancellationToken.None)) { }
        return plan.ExperimentId;
    }

    [Fact]
    public async Task TheLibraryStartsWithTheCatalogueAndKeepsSavedDuplicatedAndEditedCards()
    {
        await using var db = await TestDatabase.CreateAsync();
        var library = db.Services.GetRequiredService<CardLibrary>();

        var models = await library.ListAsync(CardKind.Model);
        Assert.Equal(ModelCatalogue.All.Count, models.Count);
        Assert.All(models, m => Assert.True(m.BuiltIn));
        Assert.Contains(models, m => m.Name == ModelCatalogue.Detr.DisplayName);
        Assert.Equal(PaperExamples.All.Count, (await library.ListAsync(CardKind.Data)).Count);

        var builtIn = (await library.ListAsync(CardKind.Model, "gradient")).First(m => m.Name.Contains("XGBoost"));
        var copy = await library.DuplicateAsync(builtIn.Id);
        Assert.False(copy.BuiltIn);
        Assert.EndsWith("(copy)", copy.Name);
        Assert.Equal(builtIn.Model!.Parameters.Count, copy.Model!.Parameters.Count);
        Assert.Throws<InvalidOperationException>(() => library.UpdateAsync(builtIn.Id, 1, null, copy.Model).GetAwaiter().GetResult());

        var edited = copy.Model.Clone();
        edited.Name = "XGBoost shallow";
        edited.Parameters.RemoveAll(p => p.Key == "max_depth");
        edited.Parameters.Add(new("max_depth", "3"));
        var saved = await library.UpdateAsync(copy.Id, copy.Version, null, edited);
        Assert.Equal(2, saved.Version);
        Assert.Equal("3", (await library.GetAsync(copy.Id))!.Model!.Parameter("max_depth"));

        // Another session's edit made from the old version is refused, not applied.
        var stale = edited.Clone();
        stale.Description = "stale";
        var conflict = await Assert.ThrowsAsync<EditConflictException>(() => library.UpdateAsync(copy.Id, copy.Version, null, stale));
        Assert.Equal(2, conflict.CurrentVersion);
        Assert.NotEqual("stale", (await library.GetAsync(copy.Id))!.Model!.Description);

        var imported = HuggingFaceCards.ImportDataCard(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "huggingface", "beans.md"))).Card;
        await library.SaveAsync(imported, "imported from beans.md");
        Assert.Equal(["Beans"], (await library.ListAsync(CardKind.Data, "leaf")).Select(c => c.Name));
        Assert.Single(await library.ListAsync(null, "shallow"));

        var invalid = new DataCard { Name = "" };
        await Assert.ThrowsAsync<CardValidationException>(() => library.SaveAsync(invalid, "form"));
    }

    [Fact]
    public async Task HistoryFiltersSortsByMetricAndKeepsPinnedFirst()
    {
        await using var db = await TestDatabase.CreateAsync();
        var adult = await RunAsync(db, PaperExamples.Adult.Create());
        var coco = await RunAsync(db, PaperExamples.Coco.Create());
        var failed = await RunAsync(db, PaperExamples.NaturalQuestions.Create(), new ScriptedEngine { FailAt = StageKind.Hyperparameters });
        var vit = await RunAsync(db, PaperExamples.ImageNetSubset.Create());

        var all = await db.Store.QueryAsync(new HistoryQuery());
        Assert.Equal([vit, failed, coco, adult], all.Select(e => e.Id));
        var adultRow = all.Single(e => e.Id == adult);
        Assert.Equal("accuracy", adultRow.MetricName);
        Assert.NotNull(adultRow.Predicted);
        Assert.Null(all.Single(e => e.Id == failed).Metric);

        Assert.Equal([failed], (await db.Store.QueryAsync(new HistoryQuery(Status: RunStatus.Failed))).Select(e => e.Id));
        Assert.Equal([vit, coco, adult], (await db.Store.QueryAsync(new HistoryQuery(Engine: "offline engine"))).Select(e => e.Id));
        var byMetric = await db.Store.QueryAsync(new HistoryQuery(Sort: HistorySort.Metric));
        var values = byMetric.Where(e => e.Metric is not null).Select(e => e.Metric!.Value).ToList();
        Assert.Equal(values.OrderDescending(), values); // all higher-is-better here: best first
        Assert.Equal(failed, byMetric[^1].Id); // no metric: last
        Assert.Equal(["COCO 2017", "ImageNet-100 (subset)", "Natural Questions (open)", "UCI Adult"],
            (await db.Store.QueryAsync(new HistoryQuery(Sort: HistorySort.Dataset, Descending: false))).Select(e => e.DatasetName));

        await db.Store.SetPinnedAsync(adult, true);
        var pinned = await db.Store.QueryAsync(new HistoryQuery());
        Assert.Equal(adult, pinned[0].Id);
        Assert.True(pinned[0].Pinned);
        Assert.Equal([adult], (await db.Store.QueryAsync(new HistoryQuery(PinnedOnly: true))).Select(e => e.Id));
        Assert.Empty(await db.Store.QueryAsync(new HistoryQuery(FromUtc: DateTime.UtcNow.AddMinutes(5))));
    }

    [Fact]
    public async Task TwoSessionsSavingTheSameExperimentGetAConflictNotAnOverwrite()
    {
        await using var db = await TestDatabase.CreateAsync();
        var id = await RunAsync(db, PaperExamples.Adult.Create());
        var opened = (await db.Store.GetAsync(id))!;

        // Session 1 saves notes; session 2, still on the old version, cannot overwrite them.
        var v2 = await db.Store.UpdateNotesAsync(id, opened.Version, opened.Name, "session 1 notes");
        var conflict = await Assert.ThrowsAsync<EditConflictException>(() => db.Store.UpdateNotesAsync(id, opened.Version, opened.Name, "session 2 notes"));
        Assert.Equal(v2, conflict.CurrentVersion);
        Assert.Equal("session 1 notes", (await db.Store.GetAsync(id))!.Notes);

        // A chat follow-up from a stale page is a conflict too; "save as new revision" goes ahead without the check.
        await Assert.ThrowsAsync<EditConflictException>(() => db.Runner.PlanRevisionAsync(id, "chat: faster", Offline, [StageKind.Hyperparameters], basedOnVersion: opened.Version));
        Assert.Equal(1, (await db.Store.GetAsync(id))!.LatestRevision);
        var plan = await db.Runner.PlanRevisionAsync(id, "chat: faster", Offline, [StageKind.Hyperparameters], basedOnVersion: null);
        Assert.Equal(2, plan!.Revision);
        var after = (await db.Store.GetAsync(id))!;
        Assert.Equal(v2 + 1, after.Version);
        Assert.Equal("offline engine", after.Revisions[^1].EngineSettings!["engine"]);
    }

    [Fact]
    public async Task DifferencesOnlyShowsExactlyTheRowsThatChanged()
    {
        await using var db = await TestDatabase.CreateAsync();
        var bundles = db.Services.GetRequiredService<ExperimentBundles>();
        var reviews = db.Services.GetRequiredService<ExperimentReviews>();
        var baseCards = PaperExamples.Adult.Create();
        var changed = baseCards.DeepCopy();
        changed.Model.Parameters.Single(p => p.Key == "max_depth").Value = "4";
        changed.Request.Resources = "CPU only, 8 cores"; // unchanged value: must not show
        var a = await reviews.ReviewAsync(await RunAsync(db, baseCards));
        var b = await reviews.ReviewAsync(await RunAsync(db, changed));

        var all = ExperimentComparison.Rows([a!, b!]);
        var diff = ExperimentComparison.Rows([a!, b!], differencesOnly: true);

        Assert.True(all.Count > diff.Count);
        Assert.All(diff, r => Assert.True(r.Differs));
        Assert.Equal(all.Count(r => r.Values[0] != r.Values[1]), diff.Count);
        var labels = diff.Select(r => $"{r.Section}/{r.Label}").ToList();
        Assert.Contains("Model card/max_depth", labels);
        Assert.Contains("Prompt/prompt paragraph", labels);
        Assert.DoesNotContain("Request/resources", labels);
        Assert.DoesNotContain("Data card/dataset", labels);
        Assert.Equal(["6", "4"], diff.Single(r => r.Label == "max_depth" && r.Section == "Model card").Values);

        var identical = ExperimentComparison.Rows([a!, a!], differencesOnly: true);
        Assert.Empty(identical);
        Assert.Equal(2, ExperimentComparison.Curves([a!, b!]).Count); // one predicted curve each
    }

    [Fact]
    public async Task ATrainedExperimentBundleRoundTripsWithRevisionsChatTrainingAndModel()
    {
        await using var db = await TestDatabase.CreateAsync();
        var service = db.Services.GetRequiredService<TrainingService>();
        var queue = db.Services.GetRequiredService<TrainingQueue>();
        await queue.StartAsync(CancellationToken.None);
        var id = await TrainingServiceTests.ExperimentFromUploadAsync(db, "pima_indians_diabetes");
        var job = await TrainingServiceTests.WaitAsync(service, await service.EnqueueAsync(id), j => j.Status is not (RunStatus.Queued or RunStatus.Running));
        Assert.Equal(RunStatus.Succeeded, job.Status);
        var refiner = db.Services.GetRequiredService<ChatRefiner>();
        await foreach (var _ in refiner.SendAsync(id, "make inference faster", Offline, CancellationToken.None)) { }
        await db.Store.UpdateNotesAsync(id, (await db.Store.GetAsync(id))!.Version, "pima · lightgbm", "baseline run");
        await queue.StopAsync(CancellationToken.None);

        var bundles = db.Services.GetRequiredService<ExperimentBundles>();
        var reviews = db.Services.GetRequiredService<ExperimentReviews>();
        using var zipBytes = new MemoryStream();
        Assert.True(await bundles.ExportAsync(id, zipBytes));
        zipBytes.Position = 0;
        using (var zip = new ZipArchive(zipBytes, ZipArchiveMode.Read, leaveOpen: true))
        {
            var names = zip.Entries.Select(e => e.FullName).ToList();
            foreach (var expected in new[] { "manifest.json", "cards/dataset-card.md", "cards/model-card.md", "prompt.txt", "chat.md", "report.md",
                         "stages/r1/A-data-processing.py", "stages/r2/C-hyperparameters.md", "training/1/model.txt", "training/1/parameters.json", "charts/real-curve.svg" })
                Assert.Contains(expected, names);
            var manifest = new StreamReader(zip.GetEntry("manifest.json")!.Open()).ReadToEnd();
            Assert.Contains("\"datasetSha256\"", manifest);
            var modelCard = new StreamReader(zip.GetEntry("cards/model-card.md")!.Open()).ReadToEnd();
            Assert.Contains("model-index", modelCard); // the measured metrics travel in the HF card too
        }

        zipBytes.Position = 0;
        var copy = await bundles.ImportAsync(zipBytes, "../pima\u202E.zip");
        var original = (await db.Store.GetAsync(id))!;
        var imported = (await db.Store.GetAsync(copy))!;
        string J(object? o) => JsonSerializer.Serialize(o);
        Assert.Equal(J(original.Cards), J(imported.Cards));
        Assert.Equal(original.PromptParagraph, imported.PromptParagraph);
        Assert.Equal(original.Name, imported.Name);
        Assert.Equal(original.Notes, imported.Notes);
        Assert.Equal("bundle pima.zip, exported", imported.ImportedFrom![..25]);
        Assert.Equal(J(original.Revisions), J(imported.Revisions));
        Assert.Equal(J(original.Messages.Select(m => (m.Role, m.Content, m.Revision, m.Status))), J(imported.Messages.Select(m => (m.Role, m.Content, m.Revision, m.Status))));
        foreach (var r in original.Revisions)
        {
            var before = (await db.Store.GetAsync(id, revision: r.Number))!.Stages;
            var after = (await db.Store.GetAsync(copy, revision: r.Number))!.Stages;
            Assert.Equal(J(before), J(after));
        }
        var jobs = db.Services.GetRequiredService<TrainingJobStore>();
        var importedJob = Assert.Single(await jobs.ForExperimentAsync(copy));
        Assert.Equal(job.RealFinal, importedJob.RealFinal);
        Assert.Equal(J(job.Result), J(importedJob.Result));
        Assert.Equal(job.Curve.Count, importedJob.Curve.Count);
        Assert.True(importedJob.HasModel);
        // The model travels in the bundle and lands in the database (no file in the data folder).
        var folders = db.Services.GetRequiredService<DataFolders>();
        var originalModel = await jobs.ModelTextAsync((await jobs.FindAsync(job.Id))!, folders);
        var importedModel = await jobs.ModelTextAsync((await jobs.FindAsync(importedJob.Id))!, folders);
        Assert.Contains("tree", originalModel);
        Assert.Equal(originalModel, importedModel);
        Assert.Empty(Directory.GetFiles(folders.Models));
    }

    [Theory]
    [InlineData("not a zip", "not a zip file")]
    [InlineData("zip-without-manifest", "no manifest.json")]
    [InlineData("bad-json", "not valid")]
    [InlineData("wrong-format", "format")]
    [InlineData("invalid-cards", "cards are not valid")]
    [InlineData("missing-model", "not in the zip")]
    public async Task ABadBundleIsRefusedWithAReasonAndSavesNothing(string kind, string expected)
    {
        await using var db = await TestDatabase.CreateAsync();
        var bundles = db.Services.GetRequiredService<ExperimentBundles>();
        var reviews = db.Services.GetRequiredService<ExperimentReviews>();
        var id = await RunAsync(db, PaperExamples.Adult.Create());
        using var good = new MemoryStream();
        await bundles.ExportAsync(id, good);
        var manifest = JsonSerializer.Deserialize<BundleManifest>(ReadEntry(good, "manifest.json"), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

        var bytes = kind switch
        {
            "not a zip" => "PK but not really"u8.ToArray(),
            "zip-without-manifest" => Zip(("readme.txt", "hello")),
            "bad-json" => Zip(("manifest.json", "{ \"format\": ")),
            "wrong-format" => Zip(("manifest.json", JsonSerializer.Serialize(manifest with { Format = "mlflow" }, new JsonSerializerOptions(JsonSerializerDefaults.Web)))),
            "invalid-cards" => Zip(("manifest.json", JsonSerializer.Serialize(manifest with { Cards = new ExperimentCards(new DataCard(), manifest.Cards.Model, manifest.Cards.Request) }, new JsonSerializerOptions(JsonSerializerDefaults.Web)))),
            _ => Zip(("manifest.json", JsonSerializer.Serialize(manifest with
            {
                Training = [new BundleTraining(Guid.NewGuid(), 1, RunStatus.Succeeded, null, "AUC", null, 0.9, "{}", null, "[]", "", null, null, "training/1/model.txt", DateTime.UtcNow, null, null)],
            }, new JsonSerializerOptions(JsonSerializerDefaults.Web)))),
        };
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => bundles.ImportAsync(new MemoryStream(bytes), "x.zip"));
        Assert.Contains(expected, error.Message);
        Assert.Single(await db.Store.ListAsync());
        await using var context = await db.Factory.CreateDbContextAsync();
        Assert.Equal(await context.TrainingJobs.CountAsync(), await context.TrainingModels.CountAsync()); // no model without its job
    }

    [Fact]
    public async Task AZipBombManifestIsStoppedByWhatIsReadNotWhatItClaims()
    {
        await using var db = await TestDatabase.CreateAsync();
        var bundles = db.Services.GetRequiredService<ExperimentBundles>();
        var reviews = db.Services.GetRequiredService<ExperimentReviews>();
        using var bomb = new MemoryStream();
        using (var zip = new ZipArchive(bomb, ZipArchiveMode.Create, leaveOpen: true))
        {
            await using var s = zip.CreateEntry("manifest.json", CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1 << 20];
            for (var i = 0; i < ExperimentBundles.MaxManifestBytes / zeros.Length + 1; i++) await s.WriteAsync(zeros);
        }
        Assert.True(bomb.Length < 1_000_000, $"the bomb should be small, is {bomb.Length}");
        bomb.Position = 0;
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => bundles.ImportAsync(bomb, "bomb.zip"));
        Assert.Contains("larger than", error.Message);
    }

    [Fact]
    public async Task TheReportHasEveryStageTheChartAsAnImageAndNoLiveHtml()
    {
        await using var db = await TestDatabase.CreateAsync();
        var cards = PaperExamples.Adult.Create();
        cards.Model.Description = "<script>alert(1)</script> and `<b>code</b>`";
        var bundles = db.Services.GetRequiredService<ExperimentBundles>();
        var reviews = db.Services.GetRequiredService<ExperimentReviews>();
        var item = (await reviews.ReviewAsync(await RunAsync(db, cards)))!;

        var report = ExperimentReport.Build(item, ExperimentReport.InlineImage);

        foreach (var stage in StageNames.InOrder) Assert.Contains("## " + StageNames.Title(stage), report);
        Assert.Contains("](data:image/svg+xml;base64,", report);
        Assert.Contains("| `max_depth` |", report);
        Assert.Contains("```python", report);
        Assert.Contains("\\<script>", report);
        Assert.DoesNotContain(" <script>", report);
        Assert.Contains("`<b>code</b>`", report); // code spans are shown as written
        var html = Markdig.Markdown.ToHtml(report);
        Assert.DoesNotContain("<script>", html);
    }

    private static string ReadEntry(MemoryStream zipBytes, string name)
    {
        zipBytes.Position = 0;
        using var zip = new ZipArchive(zipBytes, ZipArchiveMode.Read, leaveOpen: true);
        return new StreamReader(zip.GetEntry(name)!.Open()).ReadToEnd();
    }

    private static byte[] Zip(params (string Name, string Text)[] entries)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, text) in entries)
            {
                using var w = new StreamWriter(zip.CreateEntry(name).Open());
                w.Write(text);
            }
        return ms.ToArray();
    }
}
