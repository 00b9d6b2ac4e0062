using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Engines.Offline;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Library;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.Reports;
using AutoMLGpt.Web.Components.Pages.Cards;
using AutoMLGpt.Web.Components.Pages.Experiments;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using AutoMLGpt.Core.Knowledge.Catalogue;

namespace AutoMLGpt.Tests.Web;

/// <summary>Card authoring with files and the library, History review, comparison and conflicts, as users drive them.</summary>
[Trait(TestCategory.Name, TestCategory.Fast)]
public sealed class ReviewPagesTests : WebTestContext
{
    protected override bool NeedsDatabase => true;

    private static readonly OfflineEngine Offline = new(new OfflineEngineOptions { StreamDelayMilliseconds = 0 });
    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "huggingface", name));

    private async Task<Guid> RunAsync(ExperimentCards cards)
    {
        var plan = await Database.Runner.PlanFirstRunAsync(cards, Offline);
        await foreach (var _ in Database.Runner.RunAsync(plan, CancellationToken.None)) { }
        return plan.ExperimentId;
    }

    [Fact]
    public void ImportingAHubModelCardIntoTheFormFillsTheModelCardAndSaysWhatItRead()
    {
        var cut = Render<NewExperiment>();
        cut.FindComponents<InputFile>().Single(c => c.Instance.AdditionalAttributes?["id"] as string == "model-card-import")
            .UploadFiles(InputFileContent.CreateFromText(Fixture("vit-base-beans.md"), "README.md"));

        cut.WaitForAssertion(() => Assert.Equal("vit-base-beans", cut.Find("#model-name").GetAttribute("value")));
        Assert.Contains("Accuracy = 0.9849624060150376 on beans", cut.Find("#model-card-import-notes").TextContent);
        Assert.Contains("learning_rate", cut.Markup);
        Assert.Contains("vit-base-beans", cut.Find("#prompt-paragraph").TextContent); // the prompt follows the imported card
    }

    [Fact]
    public void ABrokenCardFileGetsAClearErrorAndTheFormKeepsWhatItHad()
    {
        var cut = Render<NewExperiment>();
        cut.Find("#example-adult-xgboost").Click();
        cut.FindComponents<InputFile>().Single(c => c.Instance.AdditionalAttributes?["id"] as string == "data-card-import")
            .UploadFiles(InputFileContent.CreateFromText("---\na: &x 1\nb: *x\n---\n", "evil.md"));

        cut.WaitForAssertion(() => Assert.Contains("anchors", cut.Find("#data-card-import-error").TextContent));
        Assert.Equal("UCI Adult", cut.Find("#data-name").GetAttribute("value"));
    }

    [Fact]
    public async Task LibraryCardsOpenInANewExperimentFromTheirLink()
    {
        var library = Services.GetRequiredService<CardLibrary>();
        var model = (await library.ListAsync(CardKind.Model, "detr")).First();
        var data = await library.SaveAsync(PaperExamples.Coco.Create().Data, "test");
        var nav = Services.GetRequiredService<NavigationManager>();
        nav.NavigateTo($"/?dataCard={data.Id}&modelCard={model.Id}");

        var cut = Render<NewExperiment>();

        cut.WaitForAssertion(() => Assert.Equal("COCO 2017", cut.Find("#data-name").GetAttribute("value")));
        Assert.Equal(ModelCatalogue.Detr.DisplayName, cut.Find("#model-name").GetAttribute("value"));
    }

    [Fact]
    public void TheCardLibraryListsBuiltInCardsImportsHubCardsAndDuplicatesForEditing()
    {
        var cut = Render<CardLibraryPage>();
        cut.WaitForAssertion(() => Assert.Equal(PaperExamples.All.Count, cut.FindAll(".library-row").Count));
        cut.Find("#tab-model").Click();
        cut.WaitForAssertion(() => Assert.Equal(ModelCatalogue.All.Count, cut.FindAll(".library-row[data-builtin='true']").Count));
        cut.Find("#tab-data").Click();

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(Fixture("adult-census-income.md"), "README.md"));
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".library-row[data-builtin='false']")));
        Assert.Contains("Adult Census Income", cut.Find(".library-row[data-builtin='false']").TextContent);
        Assert.Contains("imported from README.md", cut.Find(".library-row[data-builtin='false']").TextContent);

        // A card that needs completing (no label space) opens in the editor instead of being lost.
        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(Fixture("squad-retriever.md"), "squad.md"));
        cut.WaitForAssertion(() => Assert.Contains("Complete the imported card", cut.Find("#library-error").TextContent));
        cut.Find("#data-labels").Input("answer spans in the passage");
        cut.Find("#save-card").Click();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".library-row[data-builtin='false']").Count));

        cut.FindAll(".library-row[data-builtin='true'] .duplicate-card")[0].Click();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("#card-edit")));
        cut.Find("#data-name").Input("COCO 2017 train subset");
        cut.Find("#save-card").Click();
        cut.WaitForAssertion(() => Assert.Contains(cut.FindAll(".library-row"), r => r.TextContent.Contains("COCO 2017 train subset")));

        cut.Find("#library-search").Input("census income");
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".library-row")), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task HistoryPinsFilterAndSendsTheSelectionToCompare()
    {
        var adult = await RunAsync(PaperExamples.Adult.Create());
        var coco = await RunAsync(PaperExamples.Coco.Create());
        var nav = Services.GetRequiredService<NavigationManager>();

        var cut = Render<History>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".history-row").Count));
        Assert.Equal(coco.ToString(), cut.FindAll(".history-row")[0].GetAttribute("data-id"));
        Assert.Contains("(predicted)", cut.FindAll(".history-row")[1].TextContent);

        cut.FindAll(".history-row")[1].QuerySelector(".pin-toggle")!.Click();
        cut.WaitForAssertion(() => Assert.Equal(adult.ToString(), cut.FindAll(".history-row")[0].GetAttribute("data-id")));
        Assert.Equal("true", cut.FindAll(".history-row")[0].GetAttribute("data-pinned"));

        Assert.True(cut.Find("#compare-button").HasAttribute("disabled"));
        foreach (var box in cut.FindAll(".select-box input")) box.Change(true);
        cut.WaitForAssertion(() => Assert.False(cut.Find("#compare-button").HasAttribute("disabled")));
        cut.Find("#compare-button").Click();
        Assert.Equal($"http://localhost/compare?ids={adult},{coco}", nav.Uri);
    }

    [Fact]
    public async Task CompareWithDifferencesOnlyShowsExactlyTheChangedRows()
    {
        var baseCards = PaperExamples.Adult.Create();
        var changed = baseCards.DeepCopy();
        changed.Model.Parameters.Single(p => p.Key == "max_depth").Value = "3";
        var a = await RunAsync(baseCards);
        var b = await RunAsync(changed);
        var reviews = Services.GetRequiredService<ExperimentReviews>();
        var expected = ExperimentComparison.Rows([(await reviews.ReviewAsync(a))!, (await reviews.ReviewAsync(b))!], differencesOnly: true);

        Services.GetRequiredService<NavigationManager>().NavigateTo($"/compare?ids={a},{b}");
        var cut = Render<Compare>();
        cut.WaitForAssertion(() => Assert.True(cut.FindAll(".compare-row").Count > expected.Count));
        Assert.NotNull(cut.Find("#compare-chart svg"));
        Assert.Equal(2, cut.FindAll("#compare-chart polyline").Count);

        cut.Find("input#differences-only, #differences-only input").Change(true);
        var nav = Services.GetRequiredService<NavigationManager>();
        Assert.Contains("diff=1", nav.Uri); // the setup is kept in the URL: a reload or a shared link shows the same
        cut = Render<Compare>();
        cut.WaitForAssertion(() => Assert.Equal(expected.Count, cut.FindAll(".compare-row").Count));
        Assert.All(cut.FindAll(".compare-row"), r => Assert.Equal("true", r.GetAttribute("data-differs")));
        Assert.Contains(cut.FindAll(".compare-row"), r => r.GetAttribute("data-label") == "max_depth" && r.TextContent.Contains('3') && r.TextContent.Contains('6'));
    }

    [Fact]
    public async Task ParallelCoordinatesPreselectTheDifferingAxesAndKeepTheChoiceInTheUrl()
    {
        var baseCards = PaperExamples.Adult.Create();
        var changed = baseCards.DeepCopy();
        changed.Model.Parameters.Single(p => p.Key == "max_depth").Value = "3";
        var a = await RunAsync(baseCards);
        var b = await RunAsync(changed);
        var nav = Services.GetRequiredService<NavigationManager>();
        nav.NavigateTo($"/compare?ids={a},{b}");
        var cut = Render<Compare>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("#parallel-coordinates svg polyline.series").Count));
        // Only what differs is drawn at first: max_depth and the metric, not learning_rate (the same in both).
        var names = cut.FindAll("#parallel-coordinates svg .axis-name").Select(t => t.TextContent).ToList();
        Assert.Contains("max_depth", names);
        Assert.Contains("metric", names);
        Assert.DoesNotContain("learning_rate", names);
        Assert.Contains("max_depth=3", cut.FindAll("#parallel-coordinates polyline title").Select(t => t.TextContent).Last());

        var choice = cut.Find("[data-axis='learning_rate']");
        (choice.TagName == "INPUT" ? choice : choice.QuerySelector("input")!).Change(true);
        Assert.Contains("axes=", nav.Uri);
        Assert.Contains("learning_rate", Uri.UnescapeDataString(nav.Uri));
    }

    [Fact]
    public void CompareWithoutEnoughExperimentsSaysHowToPickThem()
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo($"/compare?ids={Guid.NewGuid()}");
        var cut = Render<Compare>();
        cut.WaitForAssertion(() => Assert.Contains("Pick two or more", cut.Find("#compare-empty").TextContent));
    }

    [Fact]
    public async Task NotesSavedMeanwhileElsewhereAreAConflictAndTheDraftIsKept()
    {
        var id = await RunAsync(PaperExamples.Adult.Create());
        var dialogs = Render<MudDialogProvider>();
        var cut = Render<ExperimentPage>(p => p.Add(x => x.Id, id));
        cut.WaitForAssertion(() => cut.Find("#edit-notes"));
        cut.Find("#edit-notes").Click();
        cut.Find("#experiment-notes").Input("my analysis");

        var other = (await Database.Store.GetAsync(id))!;
        await Database.Store.UpdateNotesAsync(id, other.Version, other.Name, "their analysis"); // another tab saves first

        cut.Find("#save-notes").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("changed in another session", dialogs.Markup));
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Reload").Click();
        cut.WaitForAssertion(() => Assert.Contains("their analysis", cut.Find("#notes-conflict").TextContent));
        Assert.Equal("my analysis", cut.Find("#experiment-notes").GetAttribute("value"));
        Assert.Equal("their analysis", (await Database.Store.GetAsync(id))!.Notes); // nothing overwritten

        cut.Find("#save-notes").Click(); // now based on the version they saved
        cut.WaitForAssertion(() => Assert.Equal("my analysis", Database.Store.GetAsync(id).GetAwaiter().GetResult()!.Notes));
    }

    [Fact]
    public async Task AFollowUpOnAStalePageOffersReloadOrANewRevision()
    {
        var id = await RunAsync(PaperExamples.Adult.Create());
        var dialogs = Render<MudDialogProvider>();
        var cut = Render<ExperimentPage>(p => p.Add(x => x.Id, id));
        cut.WaitForAssertion(() => cut.Find("#chat-input"));

        // Another server process (no live stream here) makes a revision first.
        var theirs = await Database.Store.CreateRevisionAsync(id, 1, "another node's follow-up", "offline engine", "faster training please", StageNames.InOrder);
        await Database.Store.FinishAsync(id, theirs, RunStatus.Succeeded, null);
        Assert.Equal(2, (await Database.Store.GetAsync(id))!.LatestRevision);

        cut.Find("#chat-input").Input("make inference faster");
        cut.Find("#chat-send").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("revision 2", dialogs.Markup));
        Assert.Equal(2, (await Database.Store.GetAsync(id))!.LatestRevision); // nothing saved yet
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Save as new revision").Click();
        cut.WaitForAssertion(() => Assert.Equal(3, Database.Store.GetAsync(id).GetAwaiter().GetResult()!.LatestRevision), TimeSpan.FromSeconds(10));
        var latest = (await Database.Store.GetAsync(id))!;
        Assert.Equal(1, latest.CurrentRevision!.ParentNumber); // built on the revision this page was showing
    }
}

[Trait(TestCategory.Name, TestCategory.Fast)]
public sealed class LiveFollowTests : WebTestContext
{
    protected override bool NeedsDatabase => true;

    [Fact]
    public async Task AFollowUpSentFromAnotherTabStreamsIntoThisPageWithoutPolling()
    {
        var cards = PaperExamples.Adult.Create();
        var engine = Services.GetRequiredService<IExperimentEngine>();
        var plan = await Database.Runner.PlanFirstRunAsync(cards, engine);
        await foreach (var _ in Database.Runner.RunAsync(plan, CancellationToken.None)) { }
        var cut = Render<ExperimentPage>(p => p.Add(x => x.Id, plan.ExperimentId));
        cut.WaitForAssertion(() => cut.Find("#chat-input"));
        Assert.Empty(cut.FindAll("#revision-select"));

        // The other tab's follow-up makes revision 2; this page shows it stream and then end, with no reload.
        var revised = new List<ChatUpdate>();
        await foreach (var u in Services.GetRequiredService<ChatRefiner>().SendAsync(plan.ExperimentId, "faster inference please", engine, CancellationToken.None)) revised.Add(u);
        Assert.Contains(revised, u => u.Kind == ChatUpdateKind.RevisionStarted);
        cut.WaitForAssertion(() =>
        {
            Assert.NotNull(cut.Find("#revision-select"));
            Assert.Contains("faster inference please", cut.Find("#chat-messages").TextContent);
            Assert.Equal(4, cut.FindAll("[data-status='succeeded']").Count);
        }, TimeSpan.FromSeconds(10));
        Assert.Empty(cut.FindAll("#running-elsewhere"));
    }
}

[Trait(TestCategory.Name, TestCategory.Fast)]
public sealed class QuotaPageTests : WebTestContext
{
    protected override bool NeedsDatabase => true;

    [Fact]
    public async Task RunPastTheAppWideCapSaysSoAndSavesNothing()
    {
        var limiter = Services.GetRequiredService<UsageLimiter>();
        var others = Enumerable.Range(0, limiter.Options.MaxConcurrentRuns).Select(i => limiter.TryStartRun(Guid.NewGuid(), false, out _)).ToList();
        var cut = Render<NewExperiment>();
        cut.Find("#example-adult-xgboost").Click();
        // Run waits while the example's data loads.
        cut.WaitForAssertion(() => Assert.Null(cut.Find("#run-button").GetAttribute("disabled")), TimeSpan.FromSeconds(30));
        cut.Find("#run-button").Click();

        cut.WaitForAssertion(() => Assert.Contains("Limits:MaxConcurrentRuns", cut.Find("#run-error").TextContent));
        Assert.Empty(await Database.Store.ListAsync());
        others.ForEach(l => l!.Dispose());

        cut.Find("#run-button").Click();
        cut.WaitForAssertion(() => Assert.Single(Database.Store.ListAsync().GetAwaiter().GetResult()), TimeSpan.FromSeconds(10));
        cut.WaitForAssertion(() => Assert.Equal(0, limiter.ActiveRuns), TimeSpan.FromSeconds(10));
    }
}
