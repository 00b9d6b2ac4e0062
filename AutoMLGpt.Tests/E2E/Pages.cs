using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AutoMLGpt.Tests.E2E;

/// <summary>What every page of the app has: the layout's engine chip, the reconnect dialog, alerts, navigation.</summary>
public abstract class AppPage(IPage page, string baseUrl)
{
    public IPage Page => page;
    protected string BaseUrl => baseUrl;

    public ILocator EngineChip => page.Locator("#engine-chip");
    public ILocator ReconnectModal => page.Locator("#components-reconnect-modal");
    public ILocator Alerts => page.Locator(".mud-alert");
    public ILocator Body => page.Locator("body");
    public ILocator Title => page.Locator("#page-title");

    public async Task<string> AlertTextAsync() => string.Join(" | ", await Alerts.AllInnerTextsAsync());

    protected async Task GotoAsync(string path)
    {
        await page.GotoAsync(baseUrl + path);
        await WaitInteractiveAsync(page);
    }

    /// <summary>Prerendered buttons are inert until the circuit connects; the layout marks that moment.</summary>
    public static Task WaitInteractiveAsync(IPage page) =>
        page.Locator("#ready[data-interactive='yes']").WaitForAsync(new() { State = WaitForSelectorState.Attached });

    /// <summary>
    /// Chooses a file in an InputFile. It wires its change handler through JS interop after the first render (it marks
    /// the element with <c>_blazorInputFileNextFileId</c>); a file chosen before that is ignored.
    /// </summary>
    protected async Task ChooseFileAsync(string inputId, Func<ILocator, Task> choose)
    {
        await page.WaitForFunctionAsync($"() => document.getElementById('{inputId}')?._blazorInputFileNextFileId !== undefined", null, new() { Timeout = 15_000 });
        await choose(page.Locator("#" + inputId));
    }

    public async Task<CardLibraryPage> GoToCardLibraryAsync()
    {
        await page.Locator("#nav-cards").ClickAsync();
        return new CardLibraryPage(page, baseUrl);
    }
}

/// <summary>The new-experiment page: examples, upload, the three card editors, Run and the four live stages.</summary>
public sealed class NewExperimentPage(IPage page, string baseUrl) : AppPage(page, baseUrl)
{
    public Task OpenAsync(string query = "") => GotoAsync("/" + query);

    /// <summary>Loads a paper example and waits until it is in the form with its data (Run is disabled meanwhile).</summary>
    public async Task LoadExampleAsync(string key)
    {
        await Page.Locator($"#example-{key}").ClickAsync();
        await Page.Locator($"#experiment-form[data-example='{key}']").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 60_000 });
    }

    public Task RunAsync() => Page.Locator("#run-button").ClickAsync();

    public Task UploadAsync(string path) => ChooseFileAsync("csv-upload", input => input.SetInputFilesAsync(path));

    public Task UploadAsync(FilePayload file) => ChooseFileAsync("csv-upload", input => input.SetInputFilesAsync(file));

    public Task ImportDataCardAsync(string path) => ChooseFileAsync("data-card-import", input => input.SetInputFilesAsync(path));

    public Task ImportModelCardAsync(string path) => ChooseFileAsync("model-card-import", input => input.SetInputFilesAsync(path));

    public ILocator DataName => Page.Locator("#data-name");
    public ILocator DataDescription => Page.Locator("#data-description");
    public ILocator DataLabelColumn => Page.Locator("#data-label-column");
    public ILocator ModelName => Page.Locator("#model-name");
    public ILocator Requests => Page.Locator("#request-text");
    public ILocator ModelCardImportNotes => Page.Locator("#model-card-import-notes");
    public ILocator DataCardExport => Page.Locator("#data-card-export");
    public ILocator PromptParagraph => Page.Locator("#prompt-paragraph");
    public ILocator DatasetProfile => Page.Locator("#dataset-profile");
    public ILocator ProfileColumns => Page.Locator("#profile-columns");
    public ILocator UploadError => Page.Locator("#upload-error");
    public ILocator ValidationSummary => Page.Locator("#validation-summary");
    public ILocator OfflineNotice => Page.Locator("#offline-notice");
    public ILocator RunTokens => Page.Locator("#run-tokens");
    public ILocator OpenSaved => Page.Locator("#open-experiment");

    public ILocator Stage(string kind) => Page.Locator($"#stage-{kind}");
    public ILocator StageIn(string kind, string status) => Page.Locator($"#stage-{kind}[data-status='{status}']");
    public ILocator HyperparameterTable => Page.Locator("#hp-table");
    public ILocator TrainingLog => Page.Locator("#training-log");
    public ILocator Script => Stage("DataProcessing").Locator("#script-code");

    public async Task WaitForAllStagesAsync(string status = "succeeded")
    {
        try
        {
            foreach (var kind in new[] { "DataProcessing", "ModelArchitecture", "Hyperparameters", "TrainingLog" })
                await Expect(Stage(kind)).ToHaveAttributeAsync("data-status", status, new() { Timeout = 90_000 });
        }
        catch (PlaywrightException ex)
        {
            // Say what the page said (a run error, a validation summary) instead of only "still pending".
            throw new PlaywrightException($"{ex.Message}\nAlerts on the page: {await AlertTextAsync()}");
        }
    }

    /// <summary>Follows the link to the experiment the run saved.</summary>
    public async Task<ExperimentPage> OpenSavedAsync()
    {
        await OpenSaved.ClickAsync();
        await WaitInteractiveAsync(Page);
        return new ExperimentPage(Page, BaseUrl);
    }
}

/// <summary>One saved experiment: its actions, revisions, chat, notes, real training and stages.</summary>
public sealed class ExperimentPage(IPage page, string baseUrl) : AppPage(page, baseUrl)
{
    public Task OpenAsync(string path) => GotoAsync(path);

    public ILocator Stage(string kind) => Page.Locator($"#stage-{kind}");
    public ILocator HyperparameterTable => Page.Locator("#hp-table");
    public ILocator ImportedFrom => Page.Locator("#imported-from");

    // Chat and revisions
    // MudSwitch puts the id on its input or on its frame depending on version: the input is the last match either way.
    public ILocator ShareToggle => Page.Locator("#share-toggle, #share-toggle input").Last;
    public ILocator OwnerChip => Page.Locator("#owner-chip");
    public ILocator ReadOnlyBanner => Page.Locator("#read-only-banner");
    public ILocator AccessDenied => Page.Locator("#access-denied");
    public ILocator ChatPanel => Page.Locator("#chat-panel");
    public ILocator ChatInput => Page.Locator("#chat-input");
    public ILocator ChatMessages => Page.Locator("#chat-messages");
    public ILocator RevisionDiff => Page.Locator("#revision-diff");
    public ILocator ChangedHyperparameters => Page.Locator("#hp-diff tbody tr");

    public async Task SendFollowUpAsync(string text, bool withEnter = false)
    {
        await ChatInput.FillAsync(text);
        if (withEnter) await ChatInput.PressAsync("Enter");
        else await Page.Locator("#chat-send").ClickAsync();
    }

    // Notes
    public ILocator NotesPanel => Page.Locator("#notes-panel");

    public async Task SaveNotesAsync(string notes)
    {
        await Page.Locator("#edit-notes").ClickAsync();
        await Page.Locator("#experiment-notes").FillAsync(notes);
        await Page.Locator("#save-notes").ClickAsync();
    }

    // Real training
    public ILocator TrainingPanel => Page.Locator("#training-panel");
    public ILocator StartRace => Page.Locator("#start-race");
    public ILocator RealLog => Page.Locator("#real-log");
    public ILocator TestMetrics => Page.Locator("#test-metrics");
    public ILocator PredictionGap => Page.Locator("#prediction-gap");
    public ILocator BaselineRow => Page.Locator("#baseline-row");
    public ILocator TrainingCurves => Page.Locator("#training-panel .chart polyline.series");
    public ILocator DownloadModel => Page.Locator("#download-model");
    public ILocator RaceRows => Page.Locator("#race-results tbody tr");
    public ILocator RaceWinner => Page.Locator("#race-results tr.winner");

    public Task StartTrainingAsync() => Page.Locator("#start-training").ClickAsync();

    public Task WaitForTrainingAsync(string status = "succeeded", float timeout = 300_000) =>
        Expect(TrainingPanel).ToHaveAttributeAsync("data-status", status, new() { Timeout = timeout });

    /// <summary>"Re-run on…" the first backend; the re-run ends on the comparison with this experiment.</summary>
    public async Task<ComparePage> RerunOnFirstBackendAsync()
    {
        await Page.Locator("#rerun-menu").ClickAsync();
        await Page.Locator(".rerun-engine").First.ClickAsync();
        await Page.WaitForURLAsync("**/compare?ids=**", new() { Timeout = 90_000 });
        return new ComparePage(Page, BaseUrl);
    }

    // Tags
    public ILocator Tags => Page.Locator("#experiment-tags");

    public async Task AddTagAsync(string tag)
    {
        await Page.Locator("#tag-input").FillAsync(tag);
        await Page.Locator("#tag-input").PressAsync("Enter");
    }

    // The runnable project
    public ILocator CheckResult => Page.Locator("#check-result");
    public ILocator CheckFindings => Page.Locator("#check-findings tbody tr");

    public Task CheckScriptAsync() => Page.Locator("#check-script").ClickAsync();

    public Task<IDownload> DownloadProjectAsync() => Page.RunAndWaitForDownloadAsync(() => Page.Locator("#download-project").ClickAsync());

    public Task<IDownload> DownloadNotebookAsync() => Page.RunAndWaitForDownloadAsync(() => Page.Locator("#download-notebook").ClickAsync());

    public async Task<IDownload> DownloadBundleAsync()
    {
        await Page.Locator("#download-menu").ClickAsync();
        return await Page.RunAndWaitForDownloadAsync(() => Page.Locator("#download-bundle").ClickAsync());
    }
}

/// <summary>The side-by-side comparison of experiments.</summary>
public sealed class ComparePage(IPage page, string baseUrl) : AppPage(page, baseUrl)
{
    public ILocator Rows => Page.Locator("#compare-table .compare-row");
    public ILocator ParallelLines => Page.Locator("#parallel-coordinates svg polyline.series");
    public ILocator ParallelAxes => Page.Locator("#parallel-coordinates svg .axis-name");
    public ILocator ChartLines => Page.Locator("#compare-chart svg polyline");
    public ILocator Identical => Page.Locator("#compare-identical");

    public Task ShowDifferencesOnlyAsync() => Page.Locator("#differences-only").CheckAsync();
}

/// <summary>The history of saved experiments.</summary>
public sealed class HistoryPage(IPage page, string baseUrl) : AppPage(page, baseUrl)
{
    public Task OpenAsync() => GotoAsync("/history");

    public ILocator Rows => Page.Locator("#history-table tbody tr");

    public ILocator Row(string dataset) => Rows.Filter(new() { HasText = dataset });

    public ILocator Understood => Page.Locator("#ask-understood");

    public async Task AskAsync(string question)
    {
        await Page.Locator("#ask-history").FillAsync(question);
        await Page.Locator("#ask-button").ClickAsync();
    }

    /// <summary>Filters by a tag by clicking its chip in the table.</summary>
    public Task FilterByTagAsync(string tag) => Page.Locator(".history-tag", new() { HasText = "#" + tag }).First.ClickAsync();

    public async Task<IDownload> ExportCsvAsync()
    {
        await Page.Locator("#export-menu").ClickAsync();
        return await Page.RunAndWaitForDownloadAsync(() => Page.Locator("#export-csv").ClickAsync());
    }

    /// <summary>
    /// Ticks the rows (the Compare button counts them) and opens the comparison of exactly those experiments. The
    /// button's navigation itself is covered by <c>ReviewPagesTests.HistoryPinsFilterAndSendsTheSelectionToCompare</c>.
    /// </summary>
    public async Task<ComparePage> CompareAsync(params string[] datasets)
    {
        var ids = new List<string>();
        for (var i = 0; i < datasets.Length; i++)
        {
            var row = Row(datasets[i]).First;
            await row.Locator(".select-box input").CheckAsync();
            await Expect(Page.Locator("#compare-button")).ToContainTextAsync($"({i + 1})");
            ids.Add((await row.GetAttributeAsync("data-id"))!);
        }
        await Expect(Page.Locator("#compare-button")).ToBeEnabledAsync();
        await GotoAsync($"/compare?ids={string.Join(',', ids)}");
        return new ComparePage(Page, BaseUrl);
    }

    public async Task<ExperimentPage> OpenRowAsync(string dataset)
    {
        await Row(dataset).First.Locator("a.history-open").ClickAsync();
        return new ExperimentPage(Page, BaseUrl);
    }

    /// <summary>Imports a reproducibility bundle; the app opens the imported experiment.</summary>
    public async Task<ExperimentPage> ImportBundleAsync(string path)
    {
        await ChooseFileAsync("bundle-import", input => input.SetInputFilesAsync(path));
        return new ExperimentPage(Page, BaseUrl);
    }
}

/// <summary>The card library.</summary>
public sealed class CardLibraryPage(IPage page, string baseUrl) : AppPage(page, baseUrl)
{
    public Task OpenAsync() => GotoAsync("/cards");

    public ILocator Rows => Page.Locator(".library-row");
}

/// <summary>The settings page: engine, encoder, storage, and the language model's connection test.</summary>
public sealed class SettingsPage(IPage page, string baseUrl) : AppPage(page, baseUrl)
{
    public Task OpenAsync() => GotoAsync("/settings");

    public ILocator TestResult => Page.Locator("#test-result");

    public Task TestConnectionAsync() => Page.Locator("#test-connection").ClickAsync();
}

/// <summary>The static account pages (sign-in on): register, sign in, and the layout's account chip and sign-out.</summary>
public sealed class AccountPages(IPage page, string baseUrl) : AppPage(page, baseUrl)
{
    public ILocator AccountChip => Page.Locator("#account-chip");
    public ILocator LoginError => Page.Locator("#login-error");

    /// <summary>Registers and lands signed in on the app (the first account becomes admin).</summary>
    public async Task RegisterAsync(string user, string password)
    {
        await Page.GotoAsync(BaseUrl + "/account/register");
        await Page.Locator("#register-user").FillAsync(user);
        await Page.Locator("#register-password").FillAsync(password);
        await Page.Locator("#register-confirm").FillAsync(password);
        await Page.Locator("#register-submit").ClickAsync();
        await WaitInteractiveAsync(Page);
    }

    public async Task SignInAsync(string user, string password)
    {
        await Page.GotoAsync(BaseUrl + "/account/login");
        await Page.Locator("#login-user").FillAsync(user);
        await Page.Locator("#login-password").FillAsync(password);
        await Page.Locator("#login-submit").ClickAsync();
    }

    public Task SignOutAsync() => Page.Locator("#sign-out").ClickAsync();
}
