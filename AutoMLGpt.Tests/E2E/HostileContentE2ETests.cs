using AutoMLGpt.Tests.Fakes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AutoMLGpt.Tests.E2E;

/// <summary>Listens in a real browser while hostile content is shown: no dialog opens, no script runs, no request leaves for the attacker.</summary>
internal sealed class XssWatch
{
    public int Dialogs;
    public List<string> EvilRequests { get; } = [];

    public static XssWatch On(IPage page)
    {
        var watch = new XssWatch();
        page.Dialog += async (_, d) => { Interlocked.Increment(ref watch.Dialogs); await d.DismissAsync(); };
        page.Request += (_, r) => { if (r.Url.Contains(BadInputs.EvilHost, StringComparison.OrdinalIgnoreCase)) lock (watch.EvilRequests) watch.EvilRequests.Add(r.Url); };
        return watch;
    }

    public async Task AssertNothingRanAsync(IPage page)
    {
        Assert.Equal(0, Dialogs);
        Assert.Empty(EvilRequests);
        Assert.False(await page.EvaluateAsync<bool>("() => window.__xss === 1"), "a payload set window.__xss");
        await Expect(page.Locator("#components-reconnect-modal")).ToBeHiddenAsync(); // the layout's reconnect dialog (AppPage.ReconnectModal)
    }
}

/// <summary>Model output full of XSS and exfiltration payloads, streamed from the fake OpenAI server into the page.</summary>
[Collection(LlmBrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class HostileModelOutputE2ETests(LlmAppFixture app)
{
    [Fact]
    public async Task HostileMarkdownFromTheModelRendersAsInertText()
    {
        var shallow = BadInputs.Markdown.Where(m => m.Length < 1_000).ToList();
        var deep = BadInputs.Markdown.Where(m => m.Length >= 1_000).ToList();
        app.Server.Enqueue(
            FakeReply.Text("```python\nprint('stage A')\n```\n"),
            FakeReply.Text(string.Join("\n\n", shallow), pieces: 40));
        var page = await app.NewPageAsync();
        var watch = XssWatch.On(page);
        var experiment = new NewExperimentPage(page, app.BaseUrl);
        await experiment.OpenAsync("?example=adult-xgboost");
        await experiment.RunAsync();
        await experiment.WaitForAllStagesAsync();
        await Expect(experiment.Stage("ModelArchitecture")).ToContainTextAsync("<script>window.__xss=1;alert(1)</script>"); // shown as text
        Assert.Equal(0, await experiment.Stage("ModelArchitecture").Locator(".markdown-body").Locator("a[href^='javascript' i], a[href^='data' i], a[href^='vbscript' i], img, iframe, svg, script, style").CountAsync());

        // The chat reply carries the deeply nested payloads: shown as plain text, the circuit survives.
        var saved = await experiment.OpenSavedAsync();
        app.Server.Enqueue(FakeReply.Text(string.Join("\n\n", deep) + "\n\n" + shallow[0], pieces: 20));
        await saved.SendFollowUpAsync("explain the architecture");
        await Expect(saved.ChatPanel).ToContainTextAsync("deep link", new() { Timeout = 30_000 });
        await watch.AssertNothingRanAsync(page);
        Assert.Equal(BadInputs.Markdown.Count, shallow.Count + deep.Count);
    }
}

/// <summary>Hostile text typed by users: notes rendered as Markdown, and a 1 MB paste into a card field.</summary>
[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class HostileUserInputE2ETests(AppFixture app)
{
    [Fact]
    public async Task HostileNotesRenderInertAndAOneMegabytePasteKeepsTheCircuit()
    {
        var page = await app.NewPageAsync();
        var watch = XssWatch.On(page);
        var experiment = new NewExperimentPage(page, app.BaseUrl);
        await experiment.OpenAsync("?example=adult-xgboost");

        // A 1 MB paste: the field's cap cuts it before it reaches the circuit, and the field says what is wrong.
        await experiment.DataDescription.FillAsync(new string('x', 1_000_000));
        await Expect(experiment.Body).ToContainTextAsync("Description is too long: 40,000 characters, at most 8,000.");
        await Expect(experiment.ReconnectModal).ToBeHiddenAsync();
        await experiment.DataDescription.FillAsync("Census income, 1994.");
        await experiment.RunAsync();
        await experiment.WaitForAllStagesAsync();
        var saved = await experiment.OpenSavedAsync();

        var notes = string.Join("\n\n", BadInputs.Markdown.Where(m => m.Length < 1_000));
        await saved.SaveNotesAsync(notes[..Math.Min(notes.Length, 7_900)]);
        await Expect(saved.NotesPanel).ToContainTextAsync("<script>window.__xss=1;alert(1)</script>");
        Assert.Equal(0, await saved.NotesPanel.Locator("a[href^='javascript' i], img, iframe, script").CountAsync());
        await page.ReloadAsync();
        await AppPage.WaitInteractiveAsync(page);
        await watch.AssertNothingRanAsync(page);
    }
}

/// <summary>Plan rows 9 and 37: a closed tab stops the model's stream; a connection lost mid-stream loses nothing.</summary>
[Collection(LlmBrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class StreamLifecycleE2ETests(LlmAppFixture app)
{
    private static FakeReply Slow(int chunks, int delay) =>
        new() { Chunks = Enumerable.Range(0, chunks).Select(i => $"# line {i:000}\n").ToList(), ChunkDelayMilliseconds = delay };

    [Fact]
    public async Task ClosingTheTabMidStreamAbortsTheRequestToTheModel()
    {
        app.Server.Enqueue(Slow(200, 100));
        var context = await app.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var experiment = new NewExperimentPage(page, app.BaseUrl);
        await experiment.OpenAsync("?example=adult-xgboost");
        var aborted = Volatile.Read(ref app.Server.AbortedStreams);
        await experiment.RunAsync();
        await Expect(experiment.Stage("DataProcessing")).ToContainTextAsync("line 005", new() { Timeout = 30_000 });
        var closed = DateTime.UtcNow;
        await page.CloseAsync(new() { RunBeforeUnload = true }); // as a user closing the tab: unload handlers run
        await context.CloseAsync();
        while (Volatile.Read(ref app.Server.AbortedStreams) == aborted && DateTime.UtcNow - closed < TimeSpan.FromSeconds(10)) await Task.Delay(50);
        Assert.True(Volatile.Read(ref app.Server.AbortedStreams) > aborted, "the model's stream was still being read 10 s after the tab closed");
        Assert.True(DateTime.UtcNow - closed < TimeSpan.FromSeconds(3), $"the stream stopped {(DateTime.UtcNow - closed).TotalSeconds:0.0} s after the tab closed");
    }

    [Fact]
    public async Task TenSecondsOfflineMidStreamLosesNoText()
    {
        app.Server.Enqueue(Slow(120, 100)); // 12 s of stage A
        var context = await app.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var experiment = new NewExperimentPage(page, app.BaseUrl);
        await experiment.OpenAsync("?example=adult-xgboost");
        await experiment.RunAsync();
        await Expect(experiment.Stage("DataProcessing")).ToContainTextAsync("line 010", new() { Timeout = 30_000 });
        await context.SetOfflineAsync(true);
        await Task.Delay(10_000);
        await context.SetOfflineAsync(false);
        // The page catches up with what streamed meanwhile, and the saved run is complete.
        await experiment.WaitForAllStagesAsync();
        await Expect(experiment.Stage("DataProcessing")).ToContainTextAsync("line 119");
        var saved = await experiment.OpenSavedAsync();
        try { await Expect(saved.Stage("DataProcessing")).ToHaveAttributeAsync("data-status", "succeeded", new() { Timeout = 30_000 }); }
        catch (PlaywrightException)
        {
            Assert.Fail($"stage A is {await saved.Stage("DataProcessing").GetAttributeAsync("data-status")}; alerts: {await saved.AlertTextAsync()}");
        }
        await Expect(saved.Stage("DataProcessing")).ToContainTextAsync("line 119");
        await Expect(saved.Stage("TrainingLog")).ToHaveAttributeAsync("data-status", "succeeded", new() { Timeout = 30_000 });
        await context.CloseAsync();
    }
}
