using AutoMLGpt.Core.Cards;
using Microsoft.AspNetCore.Components;

namespace AutoMLGpt.Web.Components.Cards;

/// <summary>
/// Shared plumbing of the card editors: they edit the card object the page owns, show the errors the page decides to
/// show, and report which field changed so the page can re-validate and refresh the prompt preview.
/// </summary>
public abstract class CardEditorBase : ComponentBase
{
    /// <summary>
    /// The browser cuts a paste at this many characters, so a 1 MB paste cannot exceed the circuit's message limit
    /// (512 KB); it is above every field's own limit, so overlong text still gets the field's message.
    /// </summary>
    public const int PasteCap = 40_000;

    /// <summary>Errors to display (the page filters them to touched fields until the user presses Run).</summary>
    [Parameter, EditorRequired] public IReadOnlyList<FieldError> Errors { get; set; } = [];

    [Parameter] public bool Disabled { get; set; }

    /// <summary>Actions shown in the card's header (import, export, library), supplied by the page.</summary>
    [Parameter] public RenderFragment? Tools { get; set; }

    /// <summary>Raised with the field's path after every edit.</summary>
    [Parameter] public EventCallback<string> OnChanged { get; set; }

    protected string? ErrorFor(string field) => Errors.FirstOrDefault(e => e.Field == field)?.Message;

    protected bool HasError(string field) => Errors.Any(e => e.Field == field);

    protected Task Changed(string field, Action apply)
    {
        apply();
        return OnChanged.InvokeAsync(field);
    }
}
