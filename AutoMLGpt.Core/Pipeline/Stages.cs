using System.Text.Json.Serialization;
using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.Pipeline;

/// <summary>The paper's four stages, in the order they run.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<StageKind>))]
public enum StageKind { DataProcessing = 0, ModelArchitecture = 1, Hyperparameters = 2, TrainingLog = 3 }

/// <summary>Lifecycle of a stage or of a whole experiment run.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunStatus>))]
public enum RunStatus { Pending, Running, Succeeded, Failed, Cancelled, Interrupted, Queued }

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

/// <summary>Tokens a language model reported for one call (or the sum over calls).</summary>
public sealed record TokenUsage(long Input, long Output)
{
    public static TokenUsage operator +(TokenUsage a, TokenUsage b) => new(a.Input + b.Input, a.Output + b.Output);
}

/// <summary>One row of stage C's table.</summary>
public sealed record HyperparameterRow(string Name, string Value, string Type, string Range, string Rationale);

/// <summary>One point of a learning curve: the step (epoch or iteration), the training loss and the validation metric.</summary>
public sealed record CurvePoint(int Step, double TrainLoss, double ValidMetric);

/// <summary>Stage D's structured prediction: the curve and the final metric with its band.</summary>
public sealed record PredictedCurve(
    string Metric, bool HigherIsBetter, string StepUnit, IReadOnlyList<CurvePoint> Points,
    double Final, double Low, double High, string Basis);

/// <summary>What a finished stage produced: always text, plus structured data for stages C and D.</summary>
public sealed record StageOutput(
    StageKind Stage, string Text,
    IReadOnlyList<HyperparameterRow>? Hyperparameters = null,
    PredictedCurve? Curve = null,
    TokenUsage? Usage = null);

/// <summary>What a stage sees: the cards, the prompt paragraph and the outputs of the stages before it.</summary>
public sealed record StageContext(ExperimentCards Cards, string PromptParagraph, IReadOnlyDictionary<StageKind, StageOutput> Earlier);

/// <summary>One of the four stages of some engine. Streams its output; the last update is Completed or Failed.</summary>
public interface IPipelineStage
{
    StageKind Kind { get; }
    IAsyncEnumerable<StageUpdate> RunAsync(StageContext context, CancellationToken cancellationToken);
}

/// <summary>Something that can run the four stages: the offline engine or an LLM.</summary>
public interface IExperimentEngine
{
    /// <summary>Short label shown in the UI and saved with the experiment, e.g. "offline engine" or "OpenAI gpt-4o-mini".</summary>
    string Name { get; }

    /// <summary>True for the deterministic, knowledge-driven engine that needs no LLM.</summary>
    bool IsOffline { get; }

    /// <summary>What reproducing a run needs to know about the engine (provider, model, endpoint, temperature, seed); never a key.</summary>
    IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string> { ["engine"] = Name };

    IPipelineStage Stage(StageKind kind);

    /// <summary>Chat follow-ups this engine applies on top of the cards' requests (cumulative, one per line).</summary>
    string? FollowUp { get; }

    /// <summary>The same engine, applying these follow-ups.</summary>
    IExperimentEngine WithFollowUp(string? followUp);

    /// <summary>
    /// Streams the reply to a chat follow-up and fills <paramref name="result"/>: whether stages should be revised and
    /// which, the tokens used, or the error.
    /// </summary>
    IAsyncEnumerable<string> ReplyAsync(FollowUpContext context, FollowUpResult result, CancellationToken cancellationToken);
}

/// <summary>What an engine sees when answering a chat follow-up.</summary>
public sealed record FollowUpContext(
    ExperimentCards Cards, string PromptParagraph, IReadOnlyDictionary<StageKind, StageOutput> Stages, string Message, string? EarlierFollowUps);

/// <summary>How a chat reply ended, filled in by the engine while it streams.</summary>
public sealed class FollowUpResult
{
    /// <summary>True when the stages should be regenerated with the follow-up applied.</summary>
    public bool Revise { get; set; }
    public IReadOnlyCollection<StageKind> Rerun { get; set; } = [StageKind.ModelArchitecture, StageKind.Hyperparameters, StageKind.TrainingLog];
    public TokenUsage? Usage { get; set; }
    public string? Error { get; set; }
    /// <summary>True when the reply broke off after some text arrived.</summary>
    public bool Interrupted { get; set; }
}

public static class StageNames
{
    public static readonly IReadOnlyList<StageKind> InOrder =
        [StageKind.DataProcessing, StageKind.ModelArchitecture, StageKind.Hyperparameters, StageKind.TrainingLog];

    public static string Title(StageKind s) => s switch
    {
        StageKind.DataProcessing => "A · Data processing",
        StageKind.ModelArchitecture => "B · Model architecture",
        StageKind.Hyperparameters => "C · Hyperparameters",
        StageKind.TrainingLog => "D · Predicted training log",
        _ => s.ToString(),
    };
}
