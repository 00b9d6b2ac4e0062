using System.Text.Json.Serialization;

namespace AutoMLGpt.Core.Cards;

/// <summary>Kind of input the dataset holds.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DataModality>))]
public enum DataModality { Tabular, Image, Text, Audio, Multimodal }

/// <summary>What the model is asked to do.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MlTask>))]
public enum MlTask
{
    BinaryClassification,
    MulticlassClassification,
    Regression,
    ObjectDetection,
    Segmentation,
    QuestionAnswering,
}

/// <summary>
/// The paper's data card: what the dataset is, how big, what to predict and how it is scored.
/// Mutable so the form can bind to it; <see cref="CardValidator"/> enforces the rules.
/// </summary>
public sealed class DataCard
{
    public string Name { get; set; } = "";
    public DataModality Modality { get; set; } = DataModality.Tabular;
    public MlTask Task { get; set; } = MlTask.BinaryClassification;

    /// <summary>Class names separated by commas, or a description for open label spaces (boxes, spans, real values).</summary>
    public string LabelSpace { get; set; } = "";

    /// <summary>Evaluation metric(s), separated by commas; the first is the primary one.</summary>
    public string Metrics { get; set; } = "";

    public long? Samples { get; set; }
    public int? Features { get; set; }

    /// <summary>Image resolution as WIDTHxHEIGHT, where the modality has one.</summary>
    public string? Resolution { get; set; }

    /// <summary>Tabular only: the label column's name.</summary>
    public string? LabelColumn { get; set; }

    /// <summary>Tabular only: categorical feature columns, comma separated.</summary>
    public string? CategoricalColumns { get; set; }

    /// <summary>Tabular only: numeric feature columns, comma separated.</summary>
    public string? NumericColumns { get; set; }

    public string Description { get; set; } = "";

    /// <summary>The dataset's licence (an SPDX id such as cc-by-4.0), as Hugging Face cards record it.</summary>
    public string? License { get; set; }

    [JsonIgnore] public IReadOnlyList<string> Classes => CardText.SplitList(LabelSpace);

    /// <summary>
    /// How many classes there are: a label space described as "100 classes …" counts as 100, a listed one by its names.
    /// 0 for regression and open label spaces.
    /// </summary>
    [JsonIgnore]
    public int ClassCount => !IsClassification ? 0 : CardText.LeadingCount(LabelSpace) ?? Classes.Count;
    [JsonIgnore] public IReadOnlyList<string> MetricList => CardText.SplitList(Metrics);
    [JsonIgnore] public string PrimaryMetric => MetricList.FirstOrDefault() ?? TaskDefaults.Metric(Task);
    [JsonIgnore] public IReadOnlyList<string> CategoricalColumnList => CardText.SplitList(CategoricalColumns);
    [JsonIgnore] public IReadOnlyList<string> NumericColumnList => CardText.SplitList(NumericColumns);

    [JsonIgnore] public bool IsClassification => Task is MlTask.BinaryClassification or MlTask.MulticlassClassification;

    /// <summary>Parses <see cref="Resolution"/>; null when absent or malformed (validation reports the latter).</summary>
    [JsonIgnore]
    public (int Width, int Height)? ResolutionSize => CardText.ParseResolution(Resolution);

    public DataCard Clone() => (DataCard)MemberwiseClone();
}

/// <summary>Defaults that follow from the task alone.</summary>
public static class TaskDefaults
{
    public static string Metric(MlTask task) => task switch
    {
        MlTask.BinaryClassification => "accuracy",
        MlTask.MulticlassClassification => "top-1 accuracy",
        MlTask.Regression => "RMSE",
        MlTask.ObjectDetection => "mAP@[.5:.95]",
        MlTask.Segmentation => "mIoU",
        MlTask.QuestionAnswering => "top-20 retrieval accuracy",
        _ => "accuracy",
    };

    public static string Display(MlTask task) => task switch
    {
        MlTask.BinaryClassification => "binary classification",
        MlTask.MulticlassClassification => "multi-class classification",
        MlTask.Regression => "regression",
        MlTask.ObjectDetection => "object detection",
        MlTask.Segmentation => "semantic segmentation",
        MlTask.QuestionAnswering => "question answering",
        _ => task.ToString(),
    };

    /// <summary>True when a larger value of the metric is better (RMSE, MAE, loss are not).</summary>
    public static bool HigherIsBetter(string metric)
    {
        var m = metric.Trim().ToLowerInvariant();
        return !(m.Contains("rmse") || m.Contains("mae") || m.Contains("mse") || m.Contains("loss") || m.Contains("error"));
    }
}
