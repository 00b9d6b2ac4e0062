using MudBlazor;

namespace AutoMLGpt.Web.Components.Shared;

public enum ConflictChoice { Reload, KeepBoth, Cancel }

/// <summary>The one dialog for "changed in another session": reload theirs, keep both, or cancel.</summary>
public static class EditConflicts
{
    /// <param name="consequence">What Reload and the keep-both choice do here, in a sentence.</param>
    /// <param name="keepBoth">The keep-both button ("Save as new revision"), or null where keeping both is not possible.</param>
    public static async Task<ConflictChoice> AskAsync(this IDialogService dialogs, string message, string consequence, string? keepBoth = null)
    {
        var choice = await dialogs.ShowMessageBoxAsync("Changed in another session", $"{message} {consequence}",
            yesText: "Reload", noText: keepBoth, cancelText: "Cancel");
        return choice switch { true => ConflictChoice.Reload, false => ConflictChoice.KeepBoth, _ => ConflictChoice.Cancel };
    }
}
