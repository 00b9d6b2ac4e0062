using System.Text;
using AutoMLGpt.Core.Pipeline;

namespace AutoMLGpt.Web.Components.Stages;

/// <summary>
/// The page-side state of a run: applies streamed stage updates to what the four panels show. Pages own one; the
/// stage components only display it.
/// </summary>
public sealed class LiveStages
{
    private readonly Dictionary<StageKind, StringBuilder> _text = [];

    public List<StageState> States { get; private set; } = StageState.AllPending().ToList();

    /// <summary>Starts a run: kept stages show their output, the others wait.</summary>
    public void Reset(IReadOnlyDictionary<StageKind, StageOutput>? kept = null)
    {
        _text.Clear();
        States = StageNames.InOrder.Select(s => kept is not null && kept.TryGetValue(s, out var o)
            ? new StageState(s, RunStatus.Succeeded, o.Text, o)
            : new StageState(s, RunStatus.Pending, "")).ToList();
    }

    /// <summary>Applies one update; returns the reason when the stage failed or was interrupted.</summary>
    public string? Apply(StageUpdate update)
    {
        var i = (int)update.Stage;
        switch (update.Kind)
        {
            case StageUpdateKind.Started:
                _text[update.Stage] = new StringBuilder();
                States[i] = new StageState(update.Stage, RunStatus.Running, "");
                return null;
            case StageUpdateKind.Delta:
                var sb = _text.TryGetValue(update.Stage, out var b) ? b : _text[update.Stage] = new StringBuilder();
                sb.Append(update.Text);
                States[i] = States[i] with { Text = sb.ToString() };
                return null;
            case StageUpdateKind.Completed:
                States[i] = new StageState(update.Stage, RunStatus.Succeeded, update.Output!.Text, update.Output);
                return null;
            default:
                var status = update.Kind == StageUpdateKind.Failed ? RunStatus.Failed : RunStatus.Interrupted;
                States[i] = States[i] with { Status = status, Error = update.Text, Text = update.Output?.Text ?? States[i].Text, Output = update.Output };
                return update.Text;
        }
    }

    /// <summary>Marks the stage still streaming when the run ends abruptly (Stop, an unexpected error).</summary>
    public void EndRunning(RunStatus status)
    {
        for (var i = 0; i < States.Count; i++)
            if (States[i].Status == RunStatus.Running) States[i] = States[i] with { Status = status };
    }

    public bool CanRetry => States.Any(s => s.Status is RunStatus.Failed or RunStatus.Interrupted or RunStatus.Cancelled);
}
