using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AutoMLGpt.Tests.E2E;

/// <summary>Page object of the new-experiment page.</summary>
public sealed class NewExperimentPage(IPage page, string baseUrl)
{
    public IPage Page => page;

    public async Task OpenAsync(string query = "")
    {
        await page.GotoAsync(baseUrl + "/" + query);
        await WaitInteractiveAsync(page);
    }

    public Task LoadExampleAsync(string key) => page.Locator($"#example-{key}").ClickAsync();

    public Task RunAsync() => page.Locator("#run-button").ClickAsync();

    /// <summary>
    /// Chooses a file in the upload input. InputFile wires its change handler through JS interop after the first
    /// render (it marks the element with <c>_blazorInputFileNextFileId</c>); a file chosen before that is ignored.
    /// </summary>
    public async Task UploadAsync(string path)
    {
        await page.WaitForFunctionAsync("() => document.getElementById('csv-upload')?._blazorInputFileNextFileId !== undefined", null, new() { Timeout = 15_000 });
        await page.Locator("#csv-upload").SetInputFilesAsync(path);
    }

    public ILocator Stage(string kind) => page.Locator($"#stage-{kind}");

    public async Task WaitForAllStagesAsync(string status = "succeeded")
    {
        foreach (var kind in new[] { "DataProcessing", "ModelArchitecture", "Hyperparameters", "TrainingLog" })
            await Expect(Stage(kind)).ToHaveAttributeAsync("data-status", status, new() { Timeout = 90_000 });
    }

    /// <summary>Prerendered buttons are inert until the circuit connects; the layout marks that moment.</summary>
    public static Task WaitInteractiveAsync(IPage page) =>
        page.Locator("#ready[data-interactive='yes']").WaitForAsync(new() { State = WaitForSelectorState.Attached });
}

/// <summary>Page object of the history page.</summary>
public sealed class HistoryPage(IPage page, string baseUrl)
{
    public async Task OpenAsync()
    {
        await page.GotoAsync(baseUrl + "/history");
        await NewExperimentPage.WaitInteractiveAsync(page);
    }

    public ILocator Rows => page.Locator("#history-table tbody tr");

    public ILocator Row(string dataset) => Rows.Filter(new() { HasText = dataset });
}
