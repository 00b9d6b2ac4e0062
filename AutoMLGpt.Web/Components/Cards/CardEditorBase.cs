using AutoMLGpt.Core.Cards;
using Microsoft.AspNetCore.Components;

namespace AutoMLGpt.Web.Components.Cards;

/// <summary>
/// Shared plumbing of the card editors: they never change the card they are given; every edit emits a new card value
/// (<c>@bind-Card</c>) and the field it changed, so the page can re-validate and refresh the prompt preview. They show
/// the errors the page decides to show.
/// </summary>
public abstract class CardEditorBase<TCard> : ComponentBase where TCard : class
{
    [Parameter, EditorRequired] public TCard Card { get; set; } = default!;

    /// <summary>Raised with the edited copy of the card after every edit.</summary>
    [Parameter] public EventCallback<TCard> CardChanged { get; set; }

    /// <summary>Errors to display (the page filters them to touched fields until the user presses Run).</summary>
    [Parameter, EditorRequired] public IReadOnlyList<FieldError> Errors { get; set; } = [];

    [Parameter] public bool Disabled { get; set; }

    /// <summary>Actions shown in the card's header (import, export, library), supplied by the page.</summary>
    [Parameter] public RenderFragment? Tools { get; set; }

    /// <summary>Raised with the field's path after every edit.</summary>
    [Parameter] public EventCallback<string> OnChanged { get; set; }

    protected string? ErrorFor(string field) => Errors.FirstOrDefault(e => e.Field == field)?.Message;

    protected bool HasError(string field) => Errors.Any(e => e.Field == field);

    /// <summary>A copy that shares nothing mutable with the original.</summary>
    protected abstract TCard Copy(TCard card);

    protected async Task Changed(string field, Action<TCard> apply)
    {
        var next = Copy(Card);
        apply(next);
        if (!CardChanged.HasDelegate) Card = next; // nobody binds: the editor keeps its own value
        await CardChanged.InvokeAsync(next);
        await OnChanged.InvokeAsync(field);
    }
}

/// <summary>Constants the editors' markup uses.</summary>
public static class CardEditor
{
    /// <summary>
    /// The browser cuts a paste at this many characters, so a 1 MB paste cannot exceed the circuit's message limit
    /// (512 KB); it is above every field's own limit, so overlong text still gets the field's message.
    /// </summary>
    public const int PasteCap = 40_000;
}
