using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AutoMLGpt.Tests.E2E;

/// <summary>
/// The practitioner's review loop in a real browser: author cards from Hugging Face files, run, re-run on a
/// backend and land on the comparison, download the bundle and import it back, export a card.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class ReviewE2ETests(AppFixture app)
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "huggingface", name);

    [Fact]
    public async Task HubCardsRunRerunCompareBundleAndImportRoundTrip()
    {
        var page = await app.NewPageAsync();
        var dialogs = 0;
        page.Dialog += async (_, d) => { dialogs++; await d.DismissAsync(); };
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);

        var form = new NewExperimentPage(page, app.BaseUrl);
        await form.OpenAsync();
        await form.ImportDataCardAsync(Fixture("beans.md"));
        await Expect(form.DataName).ToHaveValueAsync("Beans");
        await form.ImportModelCardAsync(Fixture("vit-base-beans.md"));
        await Expect(form.ModelName).ToHaveValueAsync("vit-base-beans");
        await Expect(form.ModelCardImportNotes).ToContainTextAsync("Accuracy = 0.9849624060150376 on beans");
        await Expect(form.PromptParagraph).ToContainTextAsync("name: Beans");

        // The card goes back out in Hugging Face's format.
        var export = await page.RunAndWaitForDownloadAsync(() => form.DataCardExport.ClickAsync());
        var exported = await File.ReadAllTextAsync((await export.PathAsync())!);
        Assert.StartsWith("---\npretty_name: Beans\n", exported);
        Assert.Contains("automl_gpt:", exported);

        await form.RunAsync();
        await form.WaitForAllStagesAsync();
        var saved = await form.OpenSavedAsync();
        await Expect(saved.Title).ToHaveTextAsync("Beans · vit-base-beans");
        var originalUrl = page.Url;

        // Re-run on the (deterministic) offline backend: it ends on the comparison, where nothing differs.
        var compare = await saved.RerunOnFirstBackendAsync();
        await Expect(compare.Rows.First).ToBeVisibleAsync();
        var allRows = await compare.Rows.CountAsync();
        Assert.True(allRows > 20, $"{allRows} rows");
        await Expect(compare.ChartLines).ToHaveCountAsync(2);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "automlgpt-compare.png"), FullPage = true });
        await compare.ShowDifferencesOnlyAsync();
        await Expect(compare.Identical).ToBeVisibleAsync();
        await Expect(compare.Rows).ToHaveCountAsync(0);

        // The bundle downloads and imports back as the same experiment.
        await saved.OpenAsync(new Uri(originalUrl).PathAndQuery);
        var download = await saved.DownloadBundleAsync();
        Assert.EndsWith("_bundle.zip", download.SuggestedFilename);
        var bundle = Path.Combine(Path.GetTempPath(), $"automlgpt-e2e-{Guid.NewGuid():N}.zip");
        await download.SaveAsAsync(bundle);
        try
        {
            var history = new HistoryPage(page, app.BaseUrl);
            await history.OpenAsync();
            var imported = await history.ImportBundleAsync(bundle);
            try { await Expect(imported.ImportedFrom).ToContainTextAsync("bundle automlgpt-e2e-", new() { Timeout = 30_000 }); }
            catch (PlaywrightException)
            {
                Assert.Fail($"not imported; url {page.Url}; alerts: {await imported.AlertTextAsync()}; server: {string.Join(" | ", app.Logs.Errors)}");
            }
            await Expect(imported.Title).ToHaveTextAsync("Beans · vit-base-beans");
            await Expect(imported.Stage("TrainingLog")).ToHaveAttributeAsync("data-status", "succeeded");
            await Expect(imported.HyperparameterTable).ToContainTextAsync("learning_rate");
        }
        finally { File.Delete(bundle); }

        var library = await saved.GoToCardLibraryAsync();
        await Expect(library.Rows.First).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "automlgpt-library.png"), FullPage = true });
        Assert.Equal(0, dialogs);
        Assert.Empty(errors);
        Assert.Empty(app.Logs.Errors);
    }
}
