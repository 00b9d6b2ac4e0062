using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Web.Components.Pages.Experiments;
using Bunit;
using MudBlazor;

namespace AutoMLGpt.Tests.Web;

[Trait(TestCategory.Name, TestCategory.Fast)]
public class HistoryPagesTests : WebTestContext
{
    protected override bool NeedsDatabase => true;

    [Fact]
    public async Task HistoryShowsFiftyRowsAPageAndTheOldestExperimentIsOnTheLastPage()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var store = new AutoMLGpt.Core.Experiments.ExperimentStore(Database.Factory, clock);
        var oldest = await store.CreateAsync(PaperExamples.Coco.Create(), "offline engine");
        for (var i = 0; i < 60; i++)
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            await store.CreateAsync(PaperExamples.Adult.Create(), "offline engine");
        }

        var cut = Render<History>();
        cut.WaitForAssertion(() => Assert.Equal(History.PageSize, cut.FindAll("#history-table tbody tr").Count));
        Assert.Equal("1–50 of 61", cut.Find("#history-range").TextContent);
        Assert.DoesNotContain(cut.FindAll("#history-table tbody tr"), r => r.GetAttribute("data-id") == oldest.ToString());

        cut.FindAll("#history-pager button").Single(b => b.TextContent.Trim() == "2").Click();
        cut.WaitForAssertion(() => Assert.Equal(11, cut.FindAll("#history-table tbody tr").Count));
        Assert.Equal("51–61 of 61", cut.Find("#history-range").TextContent);
        Assert.Equal(oldest.ToString(), cut.FindAll("#history-table tbody tr")[^1].GetAttribute("data-id"));

        // A new filter starts again at the first page.
        cut.Find("#history-search").Input("COCO");
        cut.WaitForAssertion(() => Assert.Equal(oldest.ToString(), Assert.Single(cut.FindAll("#history-table tbody tr")).GetAttribute("data-id")), TimeSpan.FromSeconds(5));
        Assert.Empty(cut.FindAll("#history-pager"));
    }

    [Fact]
    public void AnEmptyHistoryOffersAnExampleToStartWith()
    {
        var cut = Render<History>();
        cut.WaitForAssertion(() => Assert.Contains("No experiments yet", cut.Find("#history-empty").TextContent));
        Assert.Contains(cut.FindAll("#history-empty a"), a => a.GetAttribute("href") == "/?example=adult-xgboost");
    }

    [Fact]
    public async Task HistoryListsSavedExperimentsAndSearchNarrowsThem()
    {
        await Database.Store.CreateAsync(PaperExamples.Adult.Create(), "offline engine");
        var coco = await Database.Store.CreateAsync(PaperExamples.Coco.Create(), "offline engine");
        await Database.Store.FinishAsync(coco, 1, RunStatus.Succeeded, null);

        var cut = Render<History>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("#history-table tbody tr").Count));
        cut.Find("#history-search").Input("COCO");
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("#history-table tbody tr")), TimeSpan.FromSeconds(5));
        Assert.Contains("succeeded", cut.Find("#history-table tbody tr").TextContent);
        cut.Find("#history-search").Input("nothing like this");
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("#history-no-match")), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task DeletingAsksFirstAndThenRemovesTheRow()
    {
        await Database.Store.CreateAsync(PaperExamples.Adult.Create(), "offline engine");
        var dialogs = Render<MudDialogProvider>();
        var cut = Render<History>();
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("#history-table tbody tr")));
        cut.Find("#history-table button[aria-label^='Delete']").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("cannot be undone", dialogs.Markup));
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Delete").Click();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("#history-empty")));
        Assert.Empty(await Database.Store.ListAsync());
    }

    [Fact]
    public async Task ASavedExperimentShowsItsStagesAndOffersRunAgain()
    {
        var cards = PaperExamples.Adult.Create();
        var id = await Database.Store.CreateAsync(cards, "offline engine");
        await Database.Store.SaveStageAsync(id, 1, StageKind.DataProcessing, RunStatus.Succeeded, new StageOutput(StageKind.DataProcessing, "import pandas as pd"), null);
        await Database.Store.SaveStageAsync(id, 1, StageKind.ModelArchitecture, RunStatus.Cancelled, new StageOutput(StageKind.ModelArchitecture, "**Input**: 14 columns"), "Stopped by the user.");
        await Database.Store.FinishAsync(id, 1, RunStatus.Cancelled, "Stopped by the user.");

        var cut = Render<ExperimentPage>(p => p.Add(x => x.Id, id));
        cut.WaitForAssertion(() => Assert.Equal("UCI Adult · XGBoost", cut.Find("#page-title").TextContent));
        Assert.Contains("Stopped by the user.", cut.Find("#experiment-error").TextContent);
        Assert.Equal("cancelled", cut.Find("#stage-ModelArchitecture").GetAttribute("data-status"));
        Assert.Equal("pending", cut.Find("#stage-TrainingLog").GetAttribute("data-status"));
        Assert.Contains(PromptParagraph.Compose(cards), cut.Find("#prompt-paragraph").TextContent);

        // Run again: a new experiment with the same cards, linked to this one, and its page opens while it streams.
        cut.Find("#run-again").Click();
        var nav = Services.GetRequiredService<NavigationManager>();
        cut.WaitForAssertion(() => Assert.DoesNotContain(id.ToString(), nav.Uri), TimeSpan.FromSeconds(10));
        var rerunId = Guid.Parse(nav.Uri.Split('/').Last());
        var rerun = (await Database.Store.GetAsync(rerunId))!;
        Assert.Equal(id, rerun.RerunOf);
        Assert.Equal(PromptParagraph.Compose(cards), rerun.PromptParagraph);
    }

    [Fact]
    public void AnUnknownExperimentSaysSoAndLinksBack()
    {
        var cut = Render<ExperimentPage>(p => p.Add(x => x.Id, Guid.NewGuid()));
        cut.WaitForAssertion(() => Assert.Contains("does not exist", cut.Find("#not-found").TextContent));
    }
}
