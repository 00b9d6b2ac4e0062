using Microsoft.AspNetCore.Components;

namespace AutoMLGpt.Web.Components.Runs;

/// <summary>
/// A component that shows part of a live run: it redraws itself when the run changes in a way it shows, so the page
/// around it does not redraw for every streamed token.
/// </summary>
public abstract class RunView : ComponentBase, IDisposable
{
    private RunSession? _subscribed;

    /// <summary>The run this view shows, if any.</summary>
    protected abstract RunSession? Watched { get; }

    /// <summary>Whether a change of this kind alters what the view shows.</summary>
    protected virtual bool RedrawsFor(RunChange change) => true;

    protected override void OnParametersSet() => Rewatch();

    /// <summary>Call after <see cref="Watched"/> changed outside a parameter update (a run started by a click).</summary>
    protected void Rewatch()
    {
        if (ReferenceEquals(_subscribed, Watched)) return;
        if (_subscribed is not null) _subscribed.Changed -= OnChanged;
        _subscribed = Watched;
        if (_subscribed is not null) _subscribed.Changed += OnChanged;
    }

    private Task OnChanged(RunChange change) => RedrawsFor(change) ? InvokeAsync(StateHasChanged) : Task.CompletedTask;

    public virtual void Dispose()
    {
        if (_subscribed is not null) _subscribed.Changed -= OnChanged;
        GC.SuppressFinalize(this);
    }
}
