using System.Text.Json;
using Microsoft.Playwright;

namespace AutoMLGpt.Tests.E2E;

/// <summary>
/// The latency benchmark of "Run → first stage text on screen", measured in the browser: from the click on Run (a
/// capture-phase listener, before Blazor sees it) to the first text in stage A's panel. The first run after the app
/// starts, then repeats in the same page. On demand (explicit), in a fresh process so the first run is really the first:
/// <c>dotnet test AutoMLGpt.Tests --filter "FullyQualifiedName~FirstTextTests" -- xUnit.Explicit=only</c>.
/// Results go to the console and to <c>bench-results/first-text.json</c>.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class FirstTextTests(ITestOutputHelper output)
{
    private const int Repeats = 8;

    [Fact(Explicit = true)]
    public async Task RunClickToFirstStageTextFirstRunAndAfter()
    {
        var folder = Directory.CreateTempSubdirectory("automlgpt-first-text-").FullName;
        var started = System.Diagnostics.Stopwatch.StartNew();
        // AUTOMLGPT_FIRST_TEXT_WARMUP=false measures the app without its start-up warm-up (run it in its own process).
        var warmUp = Environment.GetEnvironmentVariable("AUTOMLGPT_FIRST_TEXT_WARMUP") != "false";
        await using var app = AppFixture.StartApp(folder, out var url, new Dictionary<string, string?> { ["Runs:WarmUpAtStart"] = warmUp ? "true" : "false" });
        var startMs = started.Elapsed.TotalMilliseconds;
        // A user arrives after the start; the app warms up in the background meanwhile (at most 30 s here).
        var warm = System.Diagnostics.Stopwatch.StartNew();
        while (warmUp && !app.Logs.Entries.Any(e => e.Message.StartsWith("Warm-up", StringComparison.Ordinal)) && warm.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(50);
        var warmupLog = app.Logs.Entries.Select(e => e.Message).FirstOrDefault(m => m.StartsWith("Warm-up", StringComparison.Ordinal)) ?? "no warm-up logged";
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = AppFixture.ChromiumPath, Headless = true, Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        var page = await browser.NewPageAsync();
        var form = new NewExperimentPage(page, url);
        await form.OpenAsync("?example=adult-xgboost");
        await page.EvaluateAsync("""
            () => { window.__runs = [];
              document.addEventListener('click', e => { if (e.target.closest('#run-button')) window.__runs.push({ click: performance.now(), text: null }); }, true);
              new MutationObserver(() => {
                const run = window.__runs[window.__runs.length - 1];
                const code = document.querySelector('#stage-DataProcessing #script-code');
                if (run && run.text === null && code && code.textContent.length > 0) run.text = performance.now();
              }).observe(document.body, { childList: true, subtree: true, characterData: true }); }
            """);
        var latencies = new List<double>();
        for (var i = 0; i <= Repeats; i++)
        {
            await form.RunAsync();
            // The earlier run's stages still say "succeeded" until this click is handled: wait for this run's text, then its end.
            await page.WaitForFunctionAsync("() => { const r = window.__runs[window.__runs.length - 1]; return r && r.text !== null; }", null, new() { Timeout = 60_000 });
            await Microsoft.Playwright.Assertions.Expect(page.Locator("#run-button")).ToBeEnabledAsync(new() { Timeout = 90_000 });
            await form.WaitForAllStagesAsync();
            var runs = await page.EvaluateAsync<JsonElement>("() => window.__runs");
            var last = runs[runs.GetArrayLength() - 1];
            latencies.Add(last.GetProperty("text").GetDouble() - last.GetProperty("click").GetDouble());
        }
        var later = latencies.Skip(1).Order().ToList();
        var result = new
        {
            suite = "first-text", date = DateTime.UtcNow, machine = $"{Environment.ProcessorCount} cores", appStartMs = startMs, WarmUpAtStart = warmUp, warmup = warmupLog,
            FirstRunMs = latencies[0], LaterMedianMs = later[later.Count / 2], LaterMaxMs = later[^1], LaterRunsMs = latencies.Skip(1).ToList(),
        };
        output.WriteLine($"app start {startMs:0} ms ({warmupLog}); first run: click → first text {latencies[0]:0} ms; later runs: median {result.LaterMedianMs:0} ms, max {result.LaterMaxMs:0} ms ({string.Join(", ", latencies.Skip(1).Select(l => l.ToString("0")))})");
        var file = Environment.GetEnvironmentVariable("AUTOMLGPT_FIRST_TEXT_OUT") ?? Path.Combine(SolutionFolder(), "bench-results", "first-text.json");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Assert.Equal(Repeats + 1, latencies.Count(l => l > 0));
    }

    private static string SolutionFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "AutoMLGpt.Web.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("solution folder");
    }
}
