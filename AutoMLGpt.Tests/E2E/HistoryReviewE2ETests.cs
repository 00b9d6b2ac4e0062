using static Microsoft.Playwright.Assertions;

namespace AutoMLGpt.Tests.E2E;

/// <summary>Reviewing history as a team does (#18): tags, the filtered export, parallel coordinates, asking in words.</summary>
[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public class HistoryReviewE2ETests(AppFixture app)
{
    [Fact]
    public async Task TagTwoExperimentsFilterByTagExportCsvCompareAndAskTheHistory()
    {
        var page = await app.NewPageAsync();
        var form = new NewExperimentPage(page, app.BaseUrl);
        var names = new[] { "Review Adult A", "Review Adult B" };
        foreach (var (name, request) in names.Zip(new[] { "", "faster inference" }))
        {
            await form.OpenAsync("?example=adult-xgboost");
            await form.DataName.FillAsync(name);
            await Expect(form.PromptParagraph).ToContainTextAsync(name); // the edit reached the server before Run is pressed
            if (request.Length > 0)
            {
                await form.Requests.FillAsync(request); // "faster inference" makes the trees shallower (stage C's max_depth)
                await Expect(form.PromptParagraph).ToContainTextAsync(request);
            }
            await form.RunAsync();
            await form.WaitForAllStagesAsync();
            var saved = await form.OpenSavedAsync();
            await saved.AddTagAsync("review-e2e");
            await Expect(saved.Tags).ToContainTextAsync("#review-e2e");
        }

        var history = new HistoryPage(page, app.BaseUrl);
        await history.OpenAsync();
        await history.FilterByTagAsync("review-e2e");
        await Expect(history.Rows).ToHaveCountAsync(2);

        // The export is the filtered table, and it reads back.
        var download = await history.ExportCsvAsync();
        var csv = (await File.ReadAllTextAsync((await download.PathAsync())!)).TrimStart('\uFEFF');
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.All(lines.Skip(1), l => Assert.Contains("review-e2e", l));
        Assert.Contains("hp_max_depth", lines[0]);
        // Cells split on commas outside quotes (an eval metric like "logloss,error" is one quoted cell).
        string[] Cells(string line) => System.Text.RegularExpressions.Regex.Split(line, ",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)");
        var depthColumn = Array.IndexOf(Cells(lines[0]), "hp_max_depth");
        Assert.Equal(["3", "6"], lines.Skip(1).Select(l => Cells(l)[depthColumn]).Order()); // "faster inference" made B's trees shallower

        await history.OpenAsync(); // a fresh page after the download
        await history.FilterByTagAsync("review-e2e");
        await Expect(history.Rows).ToHaveCountAsync(2);
        var compare = await history.CompareAsync(names);
        await Expect(compare.ParallelLines).ToHaveCountAsync(2);
        await Expect(compare.ParallelAxes.Filter(new() { HasText = "max_depth" })).ToHaveCountAsync(1);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "automlgpt-parallel.png"), FullPage = true });

        await history.OpenAsync();
        await history.AskAsync("adult runs with accuracy above 0.87");
        await Expect(history.Understood).ToContainTextAsync("accuracy > 0.87");
        await Expect(history.Understood).ToContainTextAsync("contains \"adult\"");
        await Expect(page.Locator("#metric-filter")).ToContainTextAsync("accuracy > 0.87");
    }
}
