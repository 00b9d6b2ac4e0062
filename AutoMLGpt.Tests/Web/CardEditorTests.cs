using AutoMLGpt.Core.Cards;
using AutoMLGpt.Web.Components.Cards;
using Bunit;
using MudBlazor;

namespace AutoMLGpt.Tests.Web;

[Trait(TestCategory.Name, TestCategory.Fast)]
public class CardEditorTests : WebTestContext
{
    [Fact]
    public void TypingIntoTheDataCardEmitsANewCardAndReportsTheField()
    {
        var card = new DataCard { Description = "passengers" };
        DataCard? emitted = null;
        string? changed = null;
        var cut = Render<DataCardEditor>(p => p.Add(x => x.Card, card).Add(x => x.Errors, [])
            .Add(x => x.CardChanged, (DataCard c) => emitted = c).Add(x => x.OnChanged, (string f) => changed = f));
        cut.Find("#data-name").Input("Titanic");
        Assert.Equal("Titanic", emitted?.Name);
        Assert.Equal("passengers", emitted!.Description); // the rest of the card is carried over
        Assert.Equal("", card.Name); // the page's card is never changed in place
        Assert.Equal("Data.Name", changed);
    }

    [Fact]
    public void ShowsTheDomainsMessageUnderTheFieldItBelongsTo()
    {
        var card = new DataCard { Name = new string('n', 250) };
        var errors = CardValidator.Validate(card);
        var cut = Render<DataCardEditor>(p => p.Add(x => x.Card, card).Add(x => x.Errors, errors));
        var nameField = cut.Find("#data-name").Closest(".mud-input-control")!;
        Assert.Contains("too long: 250 characters, at most 200", nameField.TextContent);
        Assert.Contains("Label space is required.", cut.Markup);
    }

    [Fact]
    public void TabularColumnsAreOfferedOnlyForTables()
    {
        var card = new DataCard { Modality = DataModality.Tabular };
        var cut = Render<DataCardEditor>(p => p.Add(x => x.Card, card).Add(x => x.Errors, []));
        Assert.Single(cut.FindAll("#data-label-column"));
        card.Modality = DataModality.Image;
        cut.Render();
        Assert.Empty(cut.FindAll("#data-label-column"));
    }

    [Fact]
    public void ModelCardAddsAndRemovesArchitectureHyperparametersInOrder()
    {
        var card = new ModelCard { Name = "MLP", Parameters = [new("num_layers", "3")] };
        var cut = Render<ModelCardEditor>(p => p.Add(x => x.Card, card).Add(x => x.Errors, []));
        cut.Find("#add-parameter").Click();
        Assert.Equal(2, cut.Instance.Card.Parameters.Count);
        var keys = cut.FindAll(".param-key input");
        keys[1].Input("hidden_size");
        cut.FindAll(".param-value input")[1].Input("256");
        Assert.Equal(["num_layers", "hidden_size"], cut.Instance.Card.Parameters.Select(x => x.Key));
        Assert.Equal("256", cut.Instance.Card.Parameters[1].Value);
        cut.Find("button[aria-label='Remove num_layers']").Click();
        Assert.Equal("hidden_size", Assert.Single(cut.Instance.Card.Parameters).Key);
        Assert.Single(card.Parameters); // the original stays as it was
    }

    [Fact]
    public void CatalogueMenuFillsTheModelCardFromAFamily()
    {
        var provider = Render<MudPopoverProvider>();
        var card = new ModelCard();
        var cut = Render<ModelCardEditor>(p => p.Add(x => x.Card, card).Add(x => x.Errors, []));
        cut.Find("#catalogue-menu button").Click();
        provider.FindAll(".mud-menu-item").Single(i => i.TextContent.Contains("DETR")).Click();
        Assert.Equal("DETR (ResNet-50)", cut.Instance.Card.Name);
        Assert.Contains(cut.Instance.Card.Parameters, x => x.Key == "num_queries" && x.Value == "100");
    }
}
