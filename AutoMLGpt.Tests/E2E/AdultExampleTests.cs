using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Tests.Fakes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AutoMLGpt.Tests.E2E;

[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public class AdultExampleTests(AppFixture app)
{
    [Fact]
    public async Task TheAdultExampleRunsEndToEndAndIsListedInHistory()
    {
        var page = await app.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        var experiment = new NewExperimentPage(page, app.BaseUrl);
        try { await experiment.OpenAsync(); }
        catch (TimeoutException) { Assert.Fail("the page never became interactive: " + string.Join(" | ", errors)); }
        await Expect(experiment.EngineChip).ToContainTextAsync("offline engine");

        await experiment.LoadExampleAsync("adult-xgboost");
        await Expect(experiment.PromptParagraph).ToContainTextAsync("Assume we have {Data Card: name: UCI Adult;");
        // The example brings its data (Train for real works at once), and the card stays editable.
        await Expect(experiment.DatasetProfile).ToContainTextAsync("48,842 rows", new() { Timeout = 60_000 });
        await experiment.DataName.FillAsync("UCI Adult 1994");
        await Expect(experiment.PromptParagraph).ToContainTextAsync("name: UCI Adult 1994;");
        // Record every status each stage panel passes through, to see that the stages really streamed live.
        await page.EvaluateAsync("""
            () => { window.__statuses = [];
              new MutationObserver(ms => ms.forEach(m => window.__statuses.push(m.target.id + ':' + m.target.getAttribute('data-status'))))
                .observe(document.body, { attributes: true, subtree: true, attributeFilter: ['data-status'] }); }
            """);
        await experiment.RunAsync();
        try { await experiment.WaitForAllStagesAsync(); }
        catch (PlaywrightException ex)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "automlgpt-adult-failure.png"), FullPage = true });
            Assert.Fail($"{ex.Message}\nalerts: {await experiment.AlertTextAsync()}\nbrowser errors: {string.Join(" | ", errors)}\nserver errors: {string.Join(" | ", app.Logs.Errors)}");
        }
        var statuses = await page.EvaluateAsync<string[]>("() => window.__statuses");
        foreach (var kind in new[] { "DataProcessing", "ModelArchitecture", "Hyperparameters", "TrainingLog" })
            Assert.True(Array.IndexOf(statuses, $"stage-{kind}:running") < Array.IndexOf(statuses, $"stage-{kind}:succeeded")
                        && statuses.Contains($"stage-{kind}:running"), $"{kind} went {string.Join(",", statuses.Where(x => x.Contains(kind)))}");
        await Expect(experiment.Script).ToContainTextAsync("LABEL = \"income\"");
        await Expect(experiment.HyperparameterTable).ToContainTextAsync("learning_rate");
        await Expect(experiment.TrainingLog).ToContainTextAsync("PREDICTION");
        await Expect(experiment.OpenSaved).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "automlgpt-adult.png"), FullPage = true });

        var history = new HistoryPage(page, app.BaseUrl);
        await history.OpenAsync();
        var row = history.Row("UCI Adult 1994");
        await Expect(row.First).ToContainTextAsync("succeeded");
        await Expect(row.First).ToContainTextAsync("4/4");

        var saved = await history.OpenRowAsync("UCI Adult 1994");
        await Expect(saved.Title).ToHaveTextAsync("UCI Adult 1994 · XGBoost");
        await Expect(saved.Stage("TrainingLog")).ToHaveAttributeAsync("data-status", "succeeded");

        // The runnable project and the notebook download in the browser; the scripts check clean.
        var project = await saved.DownloadProjectAsync();
        Assert.EndsWith("_project.zip", project.SuggestedFilename);
        using (var zip = new System.IO.Compression.ZipArchive(File.OpenRead((await project.PathAsync())!)))
        {
            var names = zip.Entries.Select(e => e.Name).ToHashSet();
            Assert.Superset(new HashSet<string> { "data.py", "train.py", "requirements.txt", "README.md" }, names);
            using var train = new StreamReader(zip.Entries.Single(e => e.Name == "train.py").Open());
            Assert.Contains("import xgboost as xgb", await train.ReadToEndAsync());
        }
        var notebook = await saved.DownloadNotebookAsync();
        Assert.EndsWith(".ipynb", notebook.SuggestedFilename);
        using (var doc = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync((await notebook.PathAsync())!)))
            Assert.Equal(4, doc.RootElement.GetProperty("nbformat").GetInt32());
        await saved.CheckScriptAsync();
        await Expect(saved.CheckResult).ToContainTextAsync("pyflakes finds nothing", new() { Timeout = 30_000 });
        Assert.Empty(errors);
        Assert.Empty(app.Logs.Errors);
    }

    [Fact]
    public async Task TheScriptDownloadsAsPlainTextAttachment()
    {
        await using var db = await TestDatabase.CreateAsync(app.DataFolder);
        var id = await db.Store.CreateAsync(AutoMLGpt.Core.Cards.PaperExamples.Coco.Create(), "offline engine");
        await db.Store.SaveStageAsync(id, 1, StageKind.DataProcessing, RunStatus.Succeeded, new StageOutput(StageKind.DataProcessing, "import torch\n<script>alert(1)</script>"), null);
        await db.CloseAsync();

        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var response = await http.GetAsync($"/experiments/{id}/download/script");
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("coco_2017_r1_data_processing.py", response.Content.Headers.ContentDisposition.FileNameStar ?? response.Content.Headers.ContentDisposition.FileName);
        Assert.Contains("nosniff", response.Headers.GetValues("X-Content-Type-Options"));
        Assert.Equal("import torch\n<script>alert(1)</script>", await response.Content.ReadAsStringAsync());
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync($"/experiments/{id}/download/nonsense")).StatusCode);
    }
}

[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public class LongInputTests(AppFixture app)
{
    [Fact]
    public async Task PastingALongDescriptionGivesAMessageAndKeepsTheCircuitAlive()
    {
        var page = await app.NewPageAsync();
        var experiment = new NewExperimentPage(page, app.BaseUrl);
        await experiment.OpenAsync("?example=adult-xgboost");
        await experiment.DataDescription.FillAsync(new string('x', 40_000));
        await Expect(experiment.Body).ToContainTextAsync("Description is too long: 40,000 characters, at most 8,000.");
        await experiment.RunAsync();
        await Expect(experiment.ValidationSummary).ToBeVisibleAsync();
        await Expect(experiment.ReconnectModal).ToBeHiddenAsync();
        await experiment.DataDescription.FillAsync("short again");
        await experiment.RunAsync();
        await experiment.WaitForAllStagesAsync();
    }
}
