using System.Text.Json.Serialization;
using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.Pipeline;

/// <summary>The paper's four stages, in the order they run.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<StageKind>))]
public enum StageKind { DataProcessing = 0, ModelArchitecture = 1, Hyperparameters = 2, TrainingLog = 3 }

/// <summary>Lifecycle of a stage or of a whole experiment run.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunStatus>))]
public enum RunStatus { Pending, Running, Succeeded, Failed, Cancelled, Interrupted }

public enum StageUpdateKind { Started, Delta, Completed, Failed }

/// <summary>One event of a streaming stage: it started, more text arrived, it completed with its output, or it failed.</summary>
public sealed record StageUpdate(StageKind Stage, StageUpdateKind Kind, string Text = "", StageOutput? Output = null)
{
    public static StageUpdate Started(StageKind s) => new(s, StageUpdateKind.Started);
    public static StageUpdate Delta(StageKind s, string text) => new(s, StageUpdateKind.Delta, text);
    public static StageUpdate Completed(StageOutput o) => new(o.Stage, StageUpdateKind.Completed, Output: o);
    public static StageUpdate Failed(StageKind s, string error) => new(s, StageUpdateKind.Failed, error);
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
    PredictedCurve? Curve = null);

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

    IPipelineStage Stage(StageKind kind);
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
