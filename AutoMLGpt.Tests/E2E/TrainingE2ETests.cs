using AutoMLGpt.Tests.Fakes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AutoMLGpt.Tests.E2E;

[Collection(BrowserCollection.Name)]
public class TrainingE2ETests(AppFixture app)
{
    [Fact]
    public async Task UploadAdultAcceptTheCardRunTrainReloadMidRunAndSeeTestMetrics()
    {
        var page = await app.NewPageAsync();
        var experiment = new NewExperimentPage(page, app.BaseUrl);
        await experiment.OpenAsync();
        await experiment.UploadAsync(SharedData.Csv("adult"));
        try { await Expect(page.Locator("#dataset-profile")).ToContainTextAsync("48,842 rows", new() { Timeout = 120_000 }); }
        catch (PlaywrightException)
        {
            Assert.Fail("upload did not finish: " + string.Join(" | ", await page.Locator(".mud-alert").AllInnerTextsAsync()) +
                        " || server: " + string.Join(" | ", app.Logs.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning).Select(e => e.Message[..Math.Min(800, e.Message.Length)])));
        }
        await Expect(page.Locator("#profile-columns")).ToContainTextAsync("income (label)");
        await Expect(page.Locator("#data-label-column")).ToHaveValueAsync("income");
        await Expect(page.Locator("#model-name")).ToHaveValueAsync("LightGBM");

        await experiment.RunAsync();
        await experiment.WaitForAllStagesAsync();
        await page.Locator("#open-experiment").ClickAsync();
        await NewExperimentPage.WaitInteractiveAsync(page);

        await page.Locator("#start-training").ClickAsync();
        await Expect(page.Locator("#real-log")).ToContainTextAsync("training's binary_logloss", new() { Timeout = 120_000 });
        var url = page.Url;
        await page.ReloadAsync();
        await NewExperimentPage.WaitInteractiveAsync(page);
        Assert.Equal(url, page.Url);
        // After the reload the same run is shown, its log kept, and it goes on to the end.
        await Expect(page.Locator("#real-log")).ToContainTextAsync("training's binary_logloss");
        await Expect(page.Locator("#training-panel")).ToHaveAttributeAsync("data-status", "succeeded", new() { Timeout = 180_000 });
        await Expect(page.Locator("#test-metrics")).ToContainTextAsync("AUC");
        await Expect(page.Locator("#test-metrics")).ToContainTextAsync("test rows");
        await Expect(page.Locator("#prediction-gap")).ToBeVisibleAsync();
        await Expect(page.Locator("#baseline-row")).ToContainTextAsync("FastTree");
        await Expect(page.Locator("#training-panel .chart polyline.series")).ToHaveCountAsync(2); // predicted and real
        await Expect(page.Locator("#download-model")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "automlgpt-training.png"), FullPage = true });
    }

    [Fact]
    public async Task RaceThePortfolioShowsEveryCandidatesCurveAndKeepsTheBestOnValidation()
    {
        var page = await app.NewPageAsync();
        var experiment = new NewExperimentPage(page, app.BaseUrl);
        await experiment.OpenAsync();
        await experiment.UploadAsync(SharedData.Csv("pima_indians_diabetes"));
        await Expect(page.Locator("#dataset-profile")).ToContainTextAsync("768 rows", new() { Timeout = 60_000 });
        await experiment.RunAsync();
        await experiment.WaitForAllStagesAsync();
        // Stage C names the candidates the race will train and why.
        await Expect(page.Locator("#hp-table")).ToBeVisibleAsync();
        await Expect(page.GetByText("Race candidate 1 of")).ToBeVisibleAsync();
        await page.Locator("#open-experiment").ClickAsync();
        await NewExperimentPage.WaitInteractiveAsync(page);

        var race = page.Locator("#start-race");
        await Expect(race).ToContainTextAsync("Race 8 candidates (about");
        await race.ClickAsync();
        await Expect(page.Locator("#training-panel")).ToHaveAttributeAsync("data-status", "succeeded", new() { Timeout = 180_000 });
        var rows = page.Locator("#race-results tbody tr");
        await Expect(rows).ToHaveCountAsync(8);
        await Expect(page.Locator("#race-results tr.winner")).ToHaveCountAsync(1);
        await Expect(page.Locator("#race-results tr.winner")).ToContainTextAsync("kept");
        // One validation curve per candidate, plus stage D's predicted one.
        await Expect(page.Locator("#training-panel .chart polyline.series")).ToHaveCountAsync(9);
        await Expect(page.Locator("#real-log")).ToContainTextAsync("Winner on validation:");
        await Expect(page.Locator("#download-model")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "automlgpt-race.png"), FullPage = true });
    }

    [Fact]
    public async Task AFileThatIsNotCsvGetsAClearErrorAndNothingChanges()
    {
        var page = await app.NewPageAsync();
        var experiment = new NewExperimentPage(page, app.BaseUrl);
        await experiment.OpenAsync();
        await page.WaitForFunctionAsync("() => document.getElementById('csv-upload')?._blazorInputFileNextFileId !== undefined");
        await page.Locator("#csv-upload").SetInputFilesAsync(new FilePayload { Name = "ragged.csv", MimeType = "text/csv", Buffer = "a,b,c\n1,2,3\n4,5\n"u8.ToArray() });
        await Expect(page.Locator("#upload-error")).ToContainTextAsync("ragged: Row 3 has 2 fields but the header has 3");
        await Expect(page.Locator("#dataset-profile")).ToHaveCountAsync(0);
        await Expect(page.Locator("#data-name")).ToHaveValueAsync("");
    }
}
