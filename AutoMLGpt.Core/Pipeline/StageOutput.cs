namespace AutoMLGpt.Core.Pipeline;

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
