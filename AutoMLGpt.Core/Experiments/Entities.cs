using AutoMLGpt.Core.Pipeline;

namespace AutoMLGpt.Core.Experiments;

/// <summary>A saved experiment: the cards as authored, the prompt paragraph, the engine and the run's status.</summary>
public sealed class ExperimentEntity
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public string DatasetName { get; set; } = "";
    public string ModelName { get; set; } = "";
    public string Engine { get; set; } = "";
    public RunStatus Status { get; set; }
    /// <summary>Why the run failed or was interrupted, in words for the user.</summary>
    public string? Error { get; set; }
    public string CardsJson { get; set; } = "";
    public string PromptParagraph { get; set; } = "";
    public DateTime CreatedUtc { get; set; }
    public DateTime UpdatedUtc { get; set; }
    public DateTime? CompletedUtc { get; set; }
    /// <summary>The experiment this one re-runs, when it was started with "run again".</summary>
    public Guid? RerunOf { get; set; }
    public List<StageEntity> Stages { get; set; } = [];
}

/// <summary>One stage's output within one revision of an experiment; saved as it completes, partial text kept on failure.</summary>
public sealed class StageEntity
{
    public long Id { get; set; }
    public Guid ExperimentId { get; set; }
    public int Revision { get; set; } = 1;
    public StageKind Stage { get; set; }
    public RunStatus Status { get; set; }
    public string Text { get; set; } = "";
    /// <summary>Stage C's table or stage D's curve as JSON, when the stage has structured output.</summary>
    public string? StructuredJson { get; set; }
    public string? Error { get; set; }
    public DateTime StartedUtc { get; set; }
    public DateTime? CompletedUtc { get; set; }
}
