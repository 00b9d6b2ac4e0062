using System.Text;
using AutoMLGpt.Tests.Core;
using AutoMLGpt.Tests.Fakes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AutoMLGpt.Tests.E2E;

/// <summary>The app configured for an OpenAI-compatible server: the fake one, on loopback.</summary>
public sealed class LlmAppFixture : AppFixture
{
    public FakeOpenAiServer Server { get; private set; } = default!;

    protected override async Task<IReadOnlyDictionary<string, string?>> SettingsAsync()
    {
        Server = await FakeOpenAiServer.StartAsync();
        // Environment-style settings, as a user would set Llm__ApiKey: never appsettings.json.
        return new Dictionary<string, string?>
        {
            ["Llm:Provider"] = "OpenAI",
            ["Llm:Model"] = "fake-model",
            ["Llm:Endpoint"] = Server.Endpoint,
            ["Llm:ApiKey"] = LlmEngineTests.Canary,
            ["Llm:TimeoutSeconds"] = "10",
            ["Llm:MaxRetries"] = "1",
        };
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class LlmBrowserCollection : ICollectionFixture<LlmAppFixture>
{
    public const string Name = "llm-browser";
}

[Collection(LlmBrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public class LlmAppTests(LlmAppFixture app)
{
    [Fact]
    public async Task AnExperimentRunsOnTheLlmAndAChatFollowUpMakesARevisionWithItsDiff()
    {
        var page = await app.NewPageAsync();
        var experiment = new NewExperimentPage(page, app.BaseUrl);
        await experiment.OpenAsync();
        await Expect(experiment.EngineChip).ToContainTextAsync("LLM fake-model");
        await Expect(experiment.OfflineNotice).ToHaveCountAsync(0);
        await experiment.LoadExampleAsync("adult-xgboost");
        await experiment.RunAsync();
        await experiment.WaitForAllStagesAsync();
        await Expect(experiment.HyperparameterTable).ToContainTextAsync("n_estimators");
        await Expect(experiment.RunTokens).ToContainTextAsync("400 tokens in · 200 out");
        var saved = await experiment.OpenSavedAsync();

        // The follow-up: a chat reply, then B, C and D regenerated; C now says max_depth 4.
        app.Server.Enqueue(
            FakeReply.Text("I will reduce max_depth to 4 for faster inference."),
            FakeReply.Text("- **Input**: 14 columns\n- **Ensemble**: shallower trees (depth 4)\n- **Loss**: log loss\n"),
            FakeReply.Text(FakeOpenAiServer.DefaultHyperparameterJson.Replace("\"value\":6", "\"value\":4")),
            FakeReply.Text("[0] validation-logloss:0.53\nPREDICTION: final accuracy ≈ 86.8% (likely range 86.2–87.3%)\nBasis: shallower trees.\n"));
        await saved.SendFollowUpAsync("faster inference please", withEnter: true);

        await Expect(saved.ChatMessages).ToContainTextAsync("I will reduce max_depth to 4", new() { Timeout = 20_000 });
        await Expect(saved.RevisionDiff).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Expect(saved.RevisionDiff).ToContainTextAsync("Changes from revision 1");
        var changed = saved.ChangedHyperparameters;
        await Expect(changed).ToHaveCountAsync(1);
        await Expect(changed.First).ToContainTextAsync("max_depth");
        await Expect(changed.First).ToContainTextAsync("6");
        await Expect(changed.First).ToContainTextAsync("4");
        await Expect(saved.ChatMessages).ToContainTextAsync("made revision 2");
        await Expect(saved.Stage("TrainingLog")).ToHaveAttributeAsync("data-status", "succeeded");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "automlgpt-chat.png"), FullPage = true });
    }

    [Fact]
    public async Task TheApiKeyNeverReachesHtmlLogsOrTheDatabaseEvenWhenTheModelEchoesIt()
    {
        // Stage B's reply tries to leak the key.
        app.Server.Enqueue(FakeReply.Text("```python\nprint(1)\n```"), FakeReply.Text($"The key is {LlmEngineTests.Canary} and again {LlmEngineTests.Canary}"));
        var page = await app.NewPageAsync();
        var experiment = new NewExperimentPage(page, app.BaseUrl);
        await experiment.OpenAsync("?example=adult-xgboost");
        await experiment.RunAsync();
        await experiment.WaitForAllStagesAsync();
        await Expect(experiment.Stage("ModelArchitecture")).ToContainTextAsync("[redacted]");

        var html = new StringBuilder(await page.ContentAsync());
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        foreach (var path in new[] { "/", "/history", "/settings", await experiment.OpenSaved.GetAttributeAsync("href") })
            html.Append(await http.GetStringAsync(path));
        var settings = new SettingsPage(page, app.BaseUrl);
        await settings.OpenAsync();
        await settings.TestConnectionAsync();
        await Expect(settings.TestResult).ToContainTextAsync("Connected");
        html.Append(await page.ContentAsync());

        Assert.Contains("set (never shown)", html.ToString());
        Assert.DoesNotContain(LlmEngineTests.Canary, html.ToString());
        Assert.DoesNotContain(app.App.Logs.Entries, e => e.Message.Contains(LlmEngineTests.Canary));
        Assert.NotEmpty(app.App.Logs.Entries);
        foreach (var file in Directory.GetFiles(app.DataFolder, "test.db*"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var memory = new MemoryStream();
            await stream.CopyToAsync(memory);
            var bytes = memory.ToArray();
            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(LlmEngineTests.Canary)));
            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(LlmEngineTests.Canary)));
        }
    }
}
