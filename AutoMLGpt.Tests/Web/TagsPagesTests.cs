using AutoMLGpt.Core.Cards;
using AutoMLGpt.Web.Components.Pages.Experiments;
using Bunit;
using MudBlazor;

namespace AutoMLGpt.Tests.Web;

[Trait(TestCategory.Name, TestCategory.Fast)]
public class TagsPagesTests : WebTestContext
{
    protected override bool NeedsDatabase => true;

    [Fact]
    public async Task TagsAreAddedOnTheExperimentPageAndFilterHistory()
    {
        var adult = await Database.Store.CreateAsync(PaperExamples.Adult.Create(), "offline engine");
        var coco = await Database.Store.CreateAsync(PaperExamples.Coco.Create(), "offline engine");
        var popovers = Render<MudPopoverProvider>();
        var page = Render<ExperimentPage>(p => p.Add(x => x.Id, adult));
        page.WaitForAssertion(() => page.Find("#tag-input"));
        page.Find("#tag-input").Input("Census");
        page.Find("#tag-input").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Enter" });
        page.WaitForAssertion(() => Assert.Contains("#census", page.Find("#experiment-tags").TextContent));
        page.Find("#tag-input").Input("not a tag!");
        page.Find("#tag-input").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Enter" });
        page.WaitForAssertion(() => Assert.Contains("letters, digits", page.Find("#tag-error").TextContent));
        Assert.Equal(["census"], (await Database.Store.GetAsync(adult))!.TagList); // the bad one changed nothing

        var history = Render<History>();
        history.WaitForAssertion(() => Assert.Equal(2, history.FindAll(".history-row").Count));
        history.Find(".history-tag").Click();
        history.WaitForAssertion(() => Assert.Equal(adult.ToString(), Assert.Single(history.FindAll(".history-row")).GetAttribute("data-id")));
        // The export downloads what the page shows: the links carry the filter.
        history.Find("#export-menu button").Click();
        popovers.WaitForAssertion(() => Assert.Equal("/history/export.csv?tag=census", popovers.Find("#export-csv").GetAttribute("href")));
        Assert.Equal("/history/export.json?tag=census", popovers.Find("#export-json").GetAttribute("href"));
        Assert.NotEqual(adult, coco);
    }
}

[Trait(TestCategory.Name, TestCategory.Fast)]
public class HistoryBulkTagTests : WebTestContext
{
    protected override bool NeedsDatabase => true;

    [Fact]
    public async Task TickedRowsAreTaggedTogetherAndAChipsCloseRemovesThatTag()
    {
        var adult = await Database.Store.CreateAsync(PaperExamples.Adult.Create(), "offline engine");
        var coco = await Database.Store.CreateAsync(PaperExamples.Coco.Create(), "offline engine");
        var imagenet = await Database.Store.CreateAsync(PaperExamples.ImageNetSubset.Create(), "offline engine");
        Render<MudPopoverProvider>();
        var cut = Render<History>();
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll(".history-row").Count));
        foreach (var id in new[] { adult, coco })
        {
            var box = cut.Find($".history-row[data-id='{id}'] .select-box input");
            box.Change(true);
        }
        cut.Find("#bulk-tag").Input("Baseline");
        cut.WaitForAssertion(() => Assert.Contains("Tag 2 ticked", cut.Find("#bulk-tag-add").TextContent));
        cut.Find("#bulk-tag-add").Click();

        cut.WaitForAssertion(() => Assert.Equal(["baseline"], Database.Store.GetAsync(adult).Result!.TagList));
        Assert.Equal(["baseline"], (await Database.Store.GetAsync(coco))!.TagList);
        Assert.Empty((await Database.Store.GetAsync(imagenet))!.TagList); // not ticked, not tagged
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".history-tag").Count));

        cut.Find($".history-row[data-id='{coco}'] .mud-chip-close-button").Click();
        cut.WaitForAssertion(() => Assert.Empty(Database.Store.GetAsync(coco).Result!.TagList));
        Assert.Equal(["baseline"], (await Database.Store.GetAsync(adult))!.TagList);
    }
}

[Trait(TestCategory.Name, TestCategory.Fast)]
public class AskTheHistoryTests : WebTestContext
{
    protected override bool NeedsDatabase => true;

    [Fact]
    public async Task AQuestionSetsTheFilterAndSaysHowItWasUnderstood()
    {
        await Database.Store.CreateAsync(PaperExamples.Adult.Create(), "offline engine");
        await Database.Store.CreateAsync(PaperExamples.Coco.Create(), "offline engine");
        Render<MudPopoverProvider>();
        var cut = Render<History>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".history-row").Count));
        cut.Find("#ask-history").Input("coco runs from this week");
        cut.Find("#ask-button").Click();
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".history-row")));
        Assert.Contains("contains \"coco\"", cut.Find("#ask-understood").TextContent);
        Assert.Equal("coco", cut.Find("#history-search").GetAttribute("value")); // shown in the editable filter

        cut.Find("#ask-history").Input("adult runs with accuracy above 0.87");
        cut.Find("#ask-button").Click();
        cut.WaitForAssertion(() => Assert.Contains("accuracy > 0.87", cut.Find("#metric-filter").TextContent));
    }
}
