using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.TrainingJobs;
using AutoMLGpt.Tests.Core;
using AutoMLGpt.Tests.E2E;
using AutoMLGpt.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AutoMLGpt.Tests.Server;

/// <summary>
/// Two web processes and one worker on one PostgreSQL database, in Chromium: training started on node A is followed live
/// on node B; node A is killed mid-training; the worker finishes the job and node B shows it.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class MultiNodeE2ETests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task TrainingStartedOnNodeAIsFollowedOnNodeBAndFinishesAfterNodeAIsKilled()
    {
        var shared = Directory.CreateTempSubdirectory("automlgpt-nodes-").FullName;
        var settings = await postgres.SharedSettingsAsync(shared);
        settings["Runs:WarmUpAtStart"] = "false";
        Guid experiment;
        await using (var seed = await TestDatabase.CreateAsync(settings: settings))
            experiment = await TrainingServiceTests.ExperimentFromUploadAsync(seed, "adult");
        var nodeSettings = new Dictionary<string, string?>(settings) { ["Training:RunJobs"] = "false" };
        using var worker = WorkerProcess.Start(new Dictionary<string, string?>(settings) { ["Training:PollSeconds"] = "0.5" });
        using var nodeA = await WebProcess.StartAsync(nodeSettings);
        using var nodeB = await WebProcess.StartAsync(nodeSettings);

        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = AppFixture.ChromiumPath, Headless = true, Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
        try
        {
            var pageA = new ExperimentPage(await NewPageAsync(browser), nodeA.BaseUrl);
            await pageA.OpenAsync($"/experiments/{experiment}");
            await pageA.StartTrainingAsync();
            await Expect(pageA.TrainingPanel).ToHaveAttributeAsync("data-status", "running", new() { Timeout = 60_000 });

            // Node B never saw the click: it follows the job from the database as the worker checkpoints it.
            var pageB = new ExperimentPage(await NewPageAsync(browser), nodeB.BaseUrl);
            await pageB.OpenAsync($"/experiments/{experiment}");
            await Expect(pageB.TrainingPanel).ToHaveAttributeAsync("data-status", "running", new() { Timeout = 30_000 });
            await Expect(pageB.RealLog).ToContainTextAsync("valid_1's", new() { Timeout = 60_000 }); // iterations arriving live

            nodeA.Kill();

            await Expect(pageB.TrainingPanel).ToHaveAttributeAsync("data-status", "succeeded", new() { Timeout = 120_000 });
            await Expect(pageB.TestMetrics).ToBeVisibleAsync();
            await Expect(pageB.ReconnectModal).Not.ToBeVisibleAsync();
            await using var db = await TestDatabase.CreateAsync(settings: settings);
            var job = (await db.Services.GetRequiredService<TrainingJobStore>().ForExperimentAsync(experiment)).Single();
            Assert.Equal(RunStatus.Succeeded, job.Status);
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            throw new InvalidOperationException($"{ex.Message}\n--- worker ---\n{Tail(worker.Output)}\n--- node A ---\n{Tail(nodeA.Output)}\n--- node B ---\n{Tail(nodeB.Output)}", ex);
        }
        finally
        {
            try { Directory.Delete(shared, true); } catch (IOException) { }
        }
    }

    private static async Task<IPage> NewPageAsync(IBrowser browser)
    {
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1600, Height = 1000 } });
        page.SetDefaultTimeout(30_000);
        return page;
    }

    private static string Tail(string text) => text.Length > 3000 ? text[^3000..] : text;
}
