using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Web.Components.Pages.Experiments;
using Bunit;
using MudBlazor;

namespace AutoMLGpt.Tests.Web;

[Trait(TestCategory.Name, TestCategory.Fast)]
public class NewExperimentPageTests : WebTestContext
{
    protected override bool NeedsDatabase => true;

    [Fact]
    public async Task RunningWithEmptyCardsShowsFieldErrorsAndSavesNothing()
    {
        Render<MudPopoverProvider>();
        var cut = Render<NewExperiment>();
        Assert.DoesNotContain("is required", cut.Markup); // untouched fields stay quiet

        cut.Find("#run-button").Click();
        Assert.Contains("Dataset name is required.", cut.Markup);
        Assert.Contains("Model name is required.", cut.Markup);
        Assert.NotNull(cut.Find("#validation-summary"));
        Assert.Empty(await Database.Store.ListAsync());
    }

    [Fact]
    public async Task LoadingAnExampleFillsTheCardsAndThePromptParagraph()
    {
        Render<MudPopoverProvider>();
        var cut = Render<NewExperiment>();
        cut.Find("#example-coco-detr").Click();
        Assert.Equal("COCO 2017", cut.Find("#data-name").GetAttribute("value"));
        Assert.StartsWith("Assume we have {Data Card: name: COCO 2017;", cut.Find("#prompt-paragraph").TextContent);

        cut.Find("#data-name").Input("COCO 2017 (val)");
        Assert.Contains("name: COCO 2017 (val);", cut.Find("#prompt-paragraph").TextContent);
    }

    [Fact]
    public async Task TheAdultExampleBringsItsDataSoTheRunCanTrainAtOnce()
    {
        Render<MudPopoverProvider>();
        var cut = Render<NewExperiment>();
        cut.Find("#example-adult-xgboost").Click();
        cut.WaitForAssertion(() => Assert.Contains("48,842 rows", cut.Find("#dataset-profile").TextContent), TimeSpan.FromSeconds(30));
        Assert.Equal("UCI Adult", cut.Find("#data-name").GetAttribute("value")); // the example's own card is kept
        cut.Find("#run-button").Click();
        WaitForRunToEnd(cut);
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("#open-experiment")));
        var saved = Assert.Single(await Database.Store.ListAsync());
        Assert.NotNull((await Database.Store.GetAsync(saved.Id))!.DatasetFile);
    }

    [Fact]
    public async Task RunFillsAllFourStagesAndSavesTheExperiment()
    {
        Render<MudPopoverProvider>();
        var cut = Render<NewExperiment>();
        cut.Find("#example-nq-dpr").Click();
        cut.Find("#run-button").Click();
        WaitForRunToEnd(cut);
        cut.WaitForAssertion(() => Assert.Equal(4, cut.FindAll("[data-status='succeeded']").Count));
        cut.WaitForAssertion(() => Assert.False(cut.Find("#run-button").HasAttribute("disabled"), "Run is enabled again once the run is saved"));

        var saved = Assert.Single(await Database.Store.ListAsync());
        Assert.Equal(RunStatus.Succeeded, saved.Status);
        Assert.Equal("Natural Questions (open)", saved.DatasetName);
        Assert.Equal($"/experiments/{saved.Id}", cut.Find("#open-experiment").GetAttribute("href"));
    }

    [Fact]
    public async Task ASecondRunClickWhileRunningDoesNotStartASecondRun()
    {
        Render<MudPopoverProvider>();
        var cut = Render<NewExperiment>();
        cut.Find("#example-coco-detr").Click();
        var run = cut.Find("#run-button");
        run.Click();
        run.Click(); // dispatched again before the re-render disabled the button
        WaitForRunToEnd(cut);
        cut.WaitForAssertion(() => Assert.False(cut.Find("#run-button").HasAttribute("disabled")));
        Assert.Single(await Database.Store.ListAsync());
    }
}
