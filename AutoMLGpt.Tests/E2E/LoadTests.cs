using System.Diagnostics;
using System.Text.Json;
using AutoMLGpt.Tests.Fakes;
using Microsoft.Playwright;

namespace AutoMLGpt.Tests.E2E;

/// <summary>
/// The load script of the reliability plan: N browser contexts each run an experiment against the fake OpenAI server
/// streaming about 50 tokens/s; it reports the p95 time from a token leaving the server to it being in the page's DOM,
/// dropped circuits and server memory per circuit, for N = 10, 25, 50. It runs on demand only (explicit):
/// <c>dotnet test AutoMLGpt.Tests --filter "FullyQualifiedName~LoadTests" -- xUnit.Explicit=only</c>.
/// Results go to the console and to <c>bench-results/load.json</c>.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class LoadTests(ITestOutputHelper output)
{
    private const int TokensPerStage = 100, TokenIntervalMs = 20; // 50 tokens/s

    /// <param name="Dropped">Pages whose circuit was lost (the reconnect dialog showed).</param>
    /// <param name="TimedOut">Pages whose run did not finish within 5 minutes.</param>
    public sealed record LoadResult(int Contexts, int Samples, double P50Ms, double P95Ms, double MaxMs, int Dropped, int TimedOut, int Completed,
        double WorkingSetBeforeMb, double WorkingSetPeakMb, double ManagedBeforeMb, double ManagedPeakMb, double MbPerCircuit, double Seconds,
        double StreamSeconds, double ServerCpuSeconds, double MachineCpuSeconds, IReadOnlyList<string>? Unfinished = null);

    [Fact(Explicit = true)]
    public async Task StreamingExperimentsInParallelBrowserContexts()
    {
        var counts = (Environment.GetEnvironmentVariable("AUTOMLGPT_LOAD_CONTEXTS") ?? "10,25,50").Split(',').Select(int.Parse).ToList();
        var results = new List<LoadResult>();
        foreach (var n in counts) results.Add(await RunAsync(n));

        output.WriteLine("contexts  samples  p50 ms  p95 ms  max ms  dropped  timed out  completed  MB/circuit  stream s  app CPU s  machine CPU s");
        foreach (var r in results)
            output.WriteLine($"{r.Contexts,8}  {r.Samples,7}  {r.P50Ms,6:0}  {r.P95Ms,6:0}  {r.MaxMs,6:0}  {r.Dropped,7}  {r.TimedOut,9}  {r.Completed,9}  {r.MbPerCircuit,10:0.0}  {r.StreamSeconds,8:0.0}  {r.ServerCpuSeconds,9:0.0}  {r.MachineCpuSeconds,13:0.0}");
        var file = Environment.GetEnvironmentVariable("AUTOMLGPT_LOAD_OUT") ?? Path.Combine(FindSolution(), "bench-results", "load.json");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new
        {
            suite = "load", date = DateTime.UtcNow, machine = $"{Environment.ProcessorCount} cores", tokensPerSecond = 1000 / TokenIntervalMs, tokensPerStage = TokensPerStage, results,
        }, new JsonSerializerOptions { WriteIndented = true }));
        output.WriteLine($"written to {file}");
        // Every context's circuit held and every run finished, not only that samples arrived.
        Assert.All(results, r =>
        {
            Assert.True(r.Samples > 0, $"N={r.Contexts}: no token samples");
            Assert.Equal(0, r.Dropped);
            Assert.Equal(0, r.TimedOut);
            Assert.Equal(r.Contexts, r.Completed);
        });
    }

    /// <summary>Busy CPU seconds of the whole machine since boot (Linux /proc/stat; NaN elsewhere).</summary>
    private static double MachineBusySeconds()
    {
        if (!File.Exists("/proc/stat")) return double.NaN;
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        var idle = fields[3] + fields[4]; // idle + iowait
        return (fields.Take(8).Sum() - idle) / 100.0; // USER_HZ is 100 on Linux
    }

    private static string FindSolution()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "AutoMLGpt.Web.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("solution folder");
    }

    private async Task<LoadResult> RunAsync(int contexts)
    {
        await using var fake = await FakeOpenAiServer.StartAsync();
        // Every token carries the server's send time (Unix ms), so the page can tell how long it took to show it.
        fake.Responder = request => request.WantsJson
            ? FakeReply.Text(FakeOpenAiServer.DefaultHyperparameterJson)
            : new FakeReply { Chunks = new string[TokensPerStage], ChunkAt = _ => $"t{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()} ", ChunkDelayMilliseconds = TokenIntervalMs };
        var folder = Directory.CreateTempSubdirectory("automlgpt-load-").FullName;
        var settings = new Dictionary<string, string?>
        {
            ["Llm:Provider"] = "OpenAI", ["Llm:Model"] = "fake-model", ["Llm:Endpoint"] = fake.Endpoint, ["Llm:ApiKey"] = "sk-load-test",
            ["Llm:TimeoutSeconds"] = "60", ["Limits:MaxConcurrentRuns"] = "200", ["Limits:MaxTokensPerHour"] = "100000000",
        };
        await using var app = AppFixture.StartApp(folder, out var url, settings);
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = AppFixture.ChromiumPath, Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"],
        });
        var process = Process.GetCurrentProcess();
        GC.Collect();
        process.Refresh();
        var wsBefore = process.WorkingSet64 / 1048576.0;
        var managedBefore = GC.GetTotalMemory(true) / 1048576.0;
        double wsPeak = wsBefore, managedPeak = managedBefore;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                process.Refresh();
                wsPeak = Math.Max(wsPeak, process.WorkingSet64 / 1048576.0);
                managedPeak = Math.Max(managedPeak, GC.GetTotalMemory(false) / 1048576.0);
                await Task.Delay(250);
            }
        });

        var watch = Stopwatch.StartNew();
        var pages = new List<NewExperimentPage>();
        for (var i = 0; i < contexts; i++)
        {
            var context = await browser.NewContextAsync();
            var page = await context.NewPageAsync();
            page.SetDefaultTimeout(120_000);
            var form = new NewExperimentPage(page, url);
            await form.OpenAsync("?example=adult-xgboost");
            // Latency of each token: the page's clock when the token's text appears minus the server's send time.
            // Only the changed nodes are read (textContent, no layout), so measuring costs the page little.
            await page.EvaluateAsync("""
                () => { window.__lat = []; const seen = new Set();
                  const scan = text => { for (const m of text.matchAll(/t(\d{13}) /g)) {
                      if (seen.has(m[1])) continue; seen.add(m[1]); window.__lat.push(Date.now() - Number(m[1])); } };
                  new MutationObserver(records => {
                    for (const r of records) {
                      if (r.type === 'characterData') scan(r.target.data || '');
                      else for (const n of r.addedNodes) scan(n.textContent || '');
                    }
                  }).observe(document.body, { childList: true, subtree: true, characterData: true }); }
                """);
            pages.Add(form);
        }
        // CPU while the experiments stream: this process (the app; the test's own share is small) against the whole machine.
        var cpuBefore = process.TotalProcessorTime;
        var machineBefore = MachineBusySeconds();
        var streaming = Stopwatch.StartNew();
        await Task.WhenAll(pages.Select(p => p.RunAsync()));
        // 0 completed, 1 circuit dropped, 2 timed out
        var outcomes = await Task.WhenAll(pages.Select(async p =>
        {
            try
            {
                await p.StageIn("TrainingLog", "succeeded").WaitForAsync(new() { Timeout = 300_000 });
                return await p.ReconnectModal.IsVisibleAsync() ? 1 : 0;
            }
            catch (TimeoutException) { return await p.ReconnectModal.IsVisibleAsync() ? 1 : 2; }
        }));
        streaming.Stop();
        process.Refresh();
        var serverCpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        var machineCpu = MachineBusySeconds() - machineBefore;
        // What the unfinished pages show: stage statuses and alerts, so a timeout can be told from a failure.
        var problems = new List<string>();
        for (var i = 0; i < pages.Count; i++)
        {
            if (outcomes[i] == 0) continue;
            var statuses = string.Join(",", await Task.WhenAll(new[] { "DataProcessing", "ModelArchitecture", "Hyperparameters", "TrainingLog" }
                .Select(k => pages[i].Stage(k).GetAttributeAsync("data-status"))));
            var alerts = await pages[i].AlertTextAsync();
            problems.Add($"{statuses}: {alerts}");
        }
        foreach (var error in app.Logs.Errors.Select(e => e[..Math.Min(1200, e.Length)]).Distinct().Take(5)) problems.Add("server: " + error);
        var latencies = new List<double>();
        foreach (var p in pages) latencies.AddRange(await p.Page.EvaluateAsync<double[]>("() => window.__lat"));
        sampling.Cancel();
        await sampler;
        var seconds = watch.Elapsed.TotalSeconds;
        foreach (var p in pages) await p.Page.Context.CloseAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, true); } catch (IOException) { }

        latencies.Sort();
        double Pct(double q) => latencies.Count == 0 ? double.NaN : latencies[(int)Math.Min(latencies.Count - 1, Math.Floor(q * latencies.Count))];
        var result = new LoadResult(contexts, latencies.Count, Pct(0.5), Pct(0.95), latencies.Count == 0 ? double.NaN : latencies[^1],
            outcomes.Count(o => o == 1), outcomes.Count(o => o == 2), outcomes.Count(o => o == 0), Math.Round(wsBefore, 1), Math.Round(wsPeak, 1), Math.Round(managedBefore, 1), Math.Round(managedPeak, 1),
            Math.Round((wsPeak - wsBefore) / contexts, 2), Math.Round(seconds, 1),
            Math.Round(streaming.Elapsed.TotalSeconds, 1), Math.Round(serverCpu, 1), Math.Round(machineCpu, 1),
            problems.GroupBy(p => p).Select(g => $"{g.Count()}× {g.Key}").ToList());
        output.WriteLine(JsonSerializer.Serialize(result));
        return result;
    }
}
