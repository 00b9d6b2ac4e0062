using System.Text.Json.Serialization;

namespace AutoMLGpt.Core.Pipeline;

/// <summary>The paper's four stages, in the order they run.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<StageKind>))]
public enum StageKind { DataProcessing = 0, ModelArchitecture = 1, Hyperparameters = 2, TrainingLog = 3 }

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
