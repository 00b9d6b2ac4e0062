using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AutoMLGpt.Tests.E2E;

/// <summary>
/// The practitioner's review loop in a real browser: author cards from Hugging Face files, run, re-run on a
/// backend and land on the comparison, download the bundle and import it back, export a card.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ReviewE2ETests(AppFixture app)
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "huggingface", name);

    private static async Task ChooseFileAsync(IPage page, string inputId, string path)
    {
        await page.WaitForFunctionAsync($"() => document.getElementById('{inputId}')?._blazorInputFileNextFileId !== undefined", null, new() { Timeout = 15_000 });
        await page.Locator("#" + inputId).SetInputFilesAsync(path);
    }

    [Fact]
    public async Task Hub_cards_run_rerun_compare_bundle_and_import_round_trip()
    {
        var page = await app.NewPageAsync();
        var dialogs = 0;
        page.Dialog += async (_, d) => { dialogs++; await d.DismissAsync(); };
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);

        var form = new NewExperimentPage(page, app.BaseUrl);
        await form.OpenAsync();
        await ChooseFileAsync(page, "data-card-import", Fixture("beans.md"));
        await Expect(page.Locator("#data-name")).ToHaveValueAsync("Beans");
        await ChooseFileAsync(page, "model-card-import", Fixture("vit-base-beans.md"));
        await Expect(page.Locator("#model-name")).ToHaveValueAsync("vit-base-beans");
        await Expect(page.Locator("#model-card-import-notes")).ToContainTextAsync("Accuracy = 0.9849624060150376 on beans");
        await Expect(page.Locator("#prompt-paragraph")).ToContainTextAsync("name: Beans");

        // The card goes back out in Hugging Face's format.
        var export = await page.RunAndWaitForDownloadAsync(() => page.Locator("#data-card-export").ClickAsync());
        var exported = await File.ReadAllTextAsync((await export.PathAsync())!);
        Assert.StartsWith("---\npretty_name: Beans\n", exported);
        Assert.Contains("automl_gpt:", exported);

        await form.RunAsync();
        await form.WaitForAllStagesAsync();
        await page.Locator("#open-experiment").ClickAsync();
        await Expect(page.Locator("#page-title")).ToHaveTextAsync("Beans · vit-base-beans");
        await NewExperimentPage.WaitInteractiveAsync(page);
        var originalUrl = page.Url;

        // Re-run on the (deterministic) offline backend: it ends on the comparison, where nothing differs.
        await page.Locator("#rerun-menu").ClickAsync();
        await page.Locator(".rerun-engine").First.ClickAsync();
        await page.WaitForURLAsync("**/compare?ids=**", new() { Timeout = 90_000 });
        await Expect(page.Locator("#compare-table .compare-row").First).ToBeVisibleAsync();
        var allRows = await page.Locator("#compare-table .compare-row").CountAsync();
        Assert.True(allRows > 20, $"{allRows} rows");
        await Expect(page.Locator("#compare-chart svg polyline")).ToHaveCountAsync(2);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "automlgpt-compare.png"), FullPage = true });
        await page.Locator("#differences-only").CheckAsync();
        await Expect(page.Locator("#compare-identical")).ToBeVisibleAsync();
        await Expect(page.Locator("#compare-table .compare-row")).ToHaveCountAsync(0);

        // The bundle downloads and imports back as the same experiment.
        await page.GotoAsync(originalUrl);
        await NewExperimentPage.WaitInteractiveAsync(page);
        await page.Locator("#download-menu").ClickAsync();
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#download-bundle").ClickAsync());
        Assert.EndsWith("_bundle.zip", download.SuggestedFilename);
        var bundle = Path.Combine(Path.GetTempPath(), $"automlgpt-e2e-{Guid.NewGuid():N}.zip");
        await download.SaveAsAsync(bundle);
        try
        {
            var history = new HistoryPage(page, app.BaseUrl);
            await history.OpenAsync();
            await ChooseFileAsync(page, "bundle-import", bundle);
            try { await Expect(page.Locator("#imported-from")).ToContainTextAsync("bundle automlgpt-e2e-", new() { Timeout = 30_000 }); }
            catch (PlaywrightException)
            {
                Assert.Fail($"not imported; url {page.Url}; alerts: {string.Join(" | ", await page.Locator(".mud-alert").AllInnerTextsAsync())}; server: {string.Join(" | ", app.Logs.Errors)}");
            }
            await Expect(page.Locator("#page-title")).ToHaveTextAsync("Beans · vit-base-beans");
            await Expect(page.Locator("#stage-TrainingLog")).ToHaveAttributeAsync("data-status", "succeeded");
            await Expect(page.Locator("#hp-table")).ToContainTextAsync("learning_rate");
        }
        finally { File.Delete(bundle); }

        await page.Locator("#nav-cards").ClickAsync();
        await Expect(page.Locator(".library-row").First).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "automlgpt-library.png"), FullPage = true });
        Assert.Equal(0, dialogs);
        Assert.Empty(errors);
        Assert.Empty(app.Logs.Errors);
    }
}
