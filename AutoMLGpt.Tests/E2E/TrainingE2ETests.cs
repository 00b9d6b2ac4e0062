using AutoMLGpt.Tests.Fakes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AutoMLGpt.Tests.E2E;

[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public class TrainingE2ETests(AppFixture app)
{
    [Fact]
    public async Task UploadAdultAcceptTheCardRunTrainReloadMidRunAndSeeTestMetrics()
    {
        var page = await app.NewPageAsync();
        var experiment = new NewExperimentPage(page, app.BaseUrl);
        await experiment.OpenAsync();
        await experiment.UploadAsync(SharedData.Csv("adult"));
        try { await Expect(experiment.DatasetProfile).ToContainTextAsync("48,842 rows", new() { Timeout = 120_000 }); }
        catch (PlaywrightException)
        {
            Assert.Fail("upload did not finish: " + await experiment.AlertTextAsync() +
                        " || server: " + string.Join(" | ", app.Logs.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning).Select(e => e.Message[..Math.Min(800, e.Message.Length)])));
        }
        await Expect(experiment.ProfileColumns).ToContainTextAsync("income (label)");
        await Expect(experiment.DataLabelColumn).ToHaveValueAsync("income");
        await Expect(experiment.ModelName).ToHaveValueAsync("LightGBM");

        await experiment.RunAsync();
        await experiment.WaitForAllStagesAsync();
        var saved = await experiment.OpenSavedAsync();

        await saved.StartTrainingAsync();
        await Expect(saved.RealLog).ToContainTextAsync("training's binary_logloss", new() { Timeout = 240_000 }); // the probe comes first (about 25 s alone, 60 s on a busy machine)
        var url = page.Url;
        await page.ReloadAsync();
        await AppPage.WaitInteractiveAsync(page);
        Assert.Equal(url, page.Url);
        // After the reload the same run is shown, its log kept, and it goes on to the end.
        await Expect(saved.RealLog).ToContainTextAsync("training's binary_logloss");
        await saved.WaitForTrainingAsync();
        await Expect(saved.TestMetrics).ToContainTextAsync("AUC");
        await Expect(saved.TestMetrics).ToContainTextAsync("test rows");
        await Expect(saved.PredictionGap).ToBeVisibleAsync();
        await Expect(saved.BaselineRow).ToContainTextAsync("FastTree");
        await Expect(saved.TrainingCurves).ToHaveCountAsync(2); // predicted and real
        await Expect(saved.DownloadModel).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "automlgpt-training.png"), FullPage = true });
    }

    [Fact]
    public async Task RaceThePortfolioShowsEveryCandidatesCurveAndKeepsTheBestOnValidation()
    {
        var page = await app.NewPageAsync();
        var experiment = new NewExperimentPage(page, app.BaseUrl);
        await experiment.OpenAsync();
        await experiment.UploadAsync(SharedData.Csv("pima_indians_diabetes"));
        await Expect(experiment.DatasetProfile).ToContainTextAsync("768 rows", new() { Timeout = 60_000 });
        await experiment.RunAsync();
        await experiment.WaitForAllStagesAsync();
        // Stage C names the candidates the race will train and why.
        await Expect(experiment.HyperparameterTable).ToBeVisibleAsync();
        await Expect(page.GetByText("Race candidate 1 of")).ToBeVisibleAsync();
        var saved = await experiment.OpenSavedAsync();

        await Expect(saved.StartRace).ToContainTextAsync("Race 8 candidates (about");
        await saved.StartRace.ClickAsync();
        await saved.WaitForTrainingAsync();
        await Expect(saved.RaceRows).ToHaveCountAsync(8);
        await Expect(saved.RaceWinner).ToHaveCountAsync(1);
        // The winner is "kept", or "best single" beside the race's kept ensemble, which the page then names.
        await Expect(saved.RaceWinner).ToContainTextAsync(new System.Text.RegularExpressions.Regex("★ (kept|best single)"));
        // One validation curve per candidate, plus stage D's predicted one.
        await Expect(saved.TrainingCurves).ToHaveCountAsync(9);
        await Expect(saved.RealLog).ToContainTextAsync("Winner on validation (best single model):");
        await Expect(saved.DownloadModel).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "automlgpt-race.png"), FullPage = true });
    }

    [Fact]
    public async Task AFileThatIsNotCsvGetsAClearErrorAndNothingChanges()
    {
        var page = await app.NewPageAsync();
        var experiment = new NewExperimentPage(page, app.BaseUrl);
        await experiment.OpenAsync();
        await experiment.UploadAsync(new FilePayload { Name = "ragged.csv", MimeType = "text/csv", Buffer = "a,b,c\n1,2,3\n4,5\n"u8.ToArray() });
        await Expect(experiment.UploadError).ToContainTextAsync("ragged: Row 3 has 2 fields but the header has 3");
        await Expect(experiment.DatasetProfile).ToHaveCountAsync(0);
        await Expect(experiment.DataName).ToHaveValueAsync("");
    }
}
