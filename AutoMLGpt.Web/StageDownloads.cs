using AutoMLGpt.Core.Pipeline;

namespace AutoMLGpt.Web;

/// <summary>Each stage's download: the URL segment the panels link to and the endpoint serves, and the file name.</summary>
public static class StageDownloads
{
    public sealed record Download(StageKind Stage, string Slug, string FileName, string What);

    public static readonly IReadOnlyList<Download> All =
    [
        new(StageKind.DataProcessing, "script", "data_processing.py", "script"),
        new(StageKind.ModelArchitecture, "architecture", "model_architecture.md", "architecture"),
        new(StageKind.Hyperparameters, "hyperparameters", "hyperparameters.md", "hyperparameters"),
        new(StageKind.TrainingLog, "log", "predicted_training_log.txt", "training log"),
    ];

    public static Download For(StageKind stage) => All.First(d => d.Stage == stage);

    public static Download? Find(string slug) => All.FirstOrDefault(d => d.Slug == slug);
}
