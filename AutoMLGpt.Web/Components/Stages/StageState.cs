using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Pipeline;

namespace AutoMLGpt.Web.Components.Stages;

/// <summary>What the page shows of one stage: live while streaming, or as saved.</summary>
public sealed record StageState(StageKind Stage, RunStatus Status, string Text, StageOutput? Output = null, string? Error = null)
{
    public static IReadOnlyList<StageState> AllPending() =>
        StageNames.InOrder.Select(s => new StageState(s, RunStatus.Pending, "")).ToList();

    public static IReadOnlyList<StageState> FromSaved(ExperimentDetails experiment) =>
        StageNames.InOrder.Select(s => experiment.Stage(s) is { } saved
            ? new StageState(s, saved.Status, saved.Output.Text, saved.Output, saved.Error)
            : new StageState(s, RunStatus.Pending, "")).ToList();
}
