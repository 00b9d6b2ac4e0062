namespace AutoMLGpt.Core.Pipeline;

/// <summary>
/// Interrupted: the stream broke or ended without a finish reason; the partial text is kept and the stage can be retried.
/// </summary>
public enum StageUpdateKind { Started, Delta, Completed, Failed, Interrupted }

/// <summary>
/// One event of a streaming stage: it started, more text arrived, it completed with its output, or it failed or was
/// interrupted (Text is then the reason; Output, when set, is the raw text to keep instead of the streamed deltas).
/// </summary>
public sealed record StageUpdate(StageKind Stage, StageUpdateKind Kind, string Text = "", StageOutput? Output = null)
{
    public static StageUpdate Started(StageKind s) => new(s, StageUpdateKind.Started);
    public static StageUpdate Delta(StageKind s, string text) => new(s, StageUpdateKind.Delta, text);
    public static StageUpdate Completed(StageOutput o) => new(o.Stage, StageUpdateKind.Completed, Output: o);
    public static StageUpdate Failed(StageKind s, string error, StageOutput? partial = null) => new(s, StageUpdateKind.Failed, error, partial);
    public static StageUpdate Interrupted(StageKind s, string reason, StageOutput? partial = null) => new(s, StageUpdateKind.Interrupted, reason, partial);

    public bool IsTerminal => Kind is StageUpdateKind.Completed or StageUpdateKind.Failed or StageUpdateKind.Interrupted;
}
