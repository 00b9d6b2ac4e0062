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
    /// <summary>Status of the latest revision's run.</summary>
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
    public int LatestRevision { get; set; } = 1;
    /// <summary>The uploaded CSV this experiment was made from (a generated file name in the uploads folder), if any.</summary>
    public string? DatasetFile { get; set; }
    /// <summary>Where the experiment came from when it was not run here, e.g. "bundle adult.zip exported 2026-11-24 10:00 UTC".</summary>
    public string? ImportedFrom { get; set; }
    /// <summary>The user's own notes on this experiment (Markdown).</summary>
    public string Notes { get; set; } = "";
    /// <summary>Pinned experiments come first in History.</summary>
    public bool Pinned { get; set; }
    /// <summary>The user's tags as ",tag,tag," (normalised by <see cref="ExperimentTags"/>), so one LIKE finds a whole tag.</summary>
    public string Tags { get; set; } = "";
    /// <summary>The account that made it when sign-in is on (an Identity user id); null in single-user mode.</summary>
    public string? OwnerId { get; set; }
    /// <summary>Shared experiments are readable by every account; private ones by their owner and admins only.</summary>
    public bool Shared { get; set; }
    /// <summary>
    /// App-managed version, raised by every user edit (a new revision, notes, name). Saves name the version they were
    /// based on, so two sessions editing the same experiment get a conflict instead of a silent overwrite.
    /// </summary>
    public int Version { get; set; } = 1;
    public List<StageEntity> Stages { get; set; } = [];
    public List<RevisionEntity> Revisions { get; set; } = [];
    public List<ChatMessageEntity> Messages { get; set; } = [];
}

/// <summary>
/// One version of an experiment's stages. Revision 1 is the first run; a retry or a chat follow-up makes a new one,
/// so earlier outputs are never overwritten.
/// </summary>
public sealed class RevisionEntity
{
    public long Id { get; set; }
    public Guid ExperimentId { get; set; }
    public int Number { get; set; }
    public int? ParentNumber { get; set; }
    /// <summary>Why it exists: "first run", "retry of C · Hyperparameters", "chat: faster inference".</summary>
    public string Reason { get; set; } = "";
    /// <summary>All chat follow-ups applied in this revision, one per line.</summary>
    public string? FollowUp { get; set; }
    public string Engine { get; set; } = "";
    /// <summary>The engine's settings for this revision as JSON (provider, model, endpoint, temperature, seed; never a key).</summary>
    public string? EngineSettingsJson { get; set; }
    public RunStatus Status { get; set; }
    public DateTime CreatedUtc { get; set; }
    /// <summary>Written while the revision runs; a stale one means its process is gone.</summary>
    public DateTime? HeartbeatUtc { get; set; }
}

/// <summary>One stage's output within one revision; saved as it streams, partial text kept on failure.</summary>
public sealed class StageEntity
{
    public long Id { get; set; }
    public Guid ExperimentId { get; set; }
    public int Revision { get; set; } = 1;
    public StageKind Stage { get; set; }
    public RunStatus Status { get; set; }
    public string Text { get; set; } = "";
    /// <summary>Stage C's table or stage D's curve as JSON, when the stage has structured output.</summary>
    public string? StructuredJson { get; private set; }
    /// <summary>Stage D's predicted metric, its final value and its direction, in columns so History filters and sorts in the database.</summary>
    public string? CurveMetric { get; private set; }
    public double? CurveFinal { get; private set; }
    public bool? CurveHigherIsBetter { get; private set; }
    public string? Error { get; set; }
    public long? InputTokens { get; set; }
    public long? OutputTokens { get; set; }
    public DateTime StartedUtc { get; set; }
    public DateTime? CompletedUtc { get; set; }

    /// <summary>Sets the structured output and the curve columns derived from it, together (they never disagree).</summary>
    public void SetStructured(string? json, PredictedCurve? curve)
    {
        StructuredJson = json;
        CurveMetric = curve?.Metric is { } metric ? metric[..Math.Min(metric.Length, 100)] : null;
        CurveFinal = curve is { Final: var final } && double.IsFinite(final) ? final : null;
        CurveHigherIsBetter = curve?.HigherIsBetter;
    }
}

/// <summary>A chat message about an experiment; an assistant reply that revised stages names the revision it made.</summary>
public sealed class ChatMessageEntity
{
    public long Id { get; set; }
    public Guid ExperimentId { get; set; }
    public string Role { get; set; } = "";
    public string Content { get; set; } = "";
    public int? Revision { get; set; }
    public RunStatus Status { get; set; }
    public long? InputTokens { get; set; }
    public long? OutputTokens { get; set; }
    public DateTime CreatedUtc { get; set; }
    /// <summary>Written while a reply streams; a stale one means its process is gone.</summary>
    public DateTime? HeartbeatUtc { get; set; }
}

/// <summary>
/// A trained model (LightGBM's text format) in the database, so any web node or worker serves it without a shared
/// folder. Jobs from before it keep theirs as a file in the data folder (<see cref="TrainingJobEntity.ModelFile"/>).
/// </summary>
public sealed class TrainingModelEntity
{
    public Guid JobId { get; set; }
    public string Text { get; set; } = "";
}

/// <summary>
/// A real training run of an experiment's recommended hyperparameters on its uploaded data. The log and curve are
/// checkpointed while it runs; the heartbeat says it is alive.
/// </summary>
public sealed class TrainingJobEntity
{
    public Guid Id { get; set; }
    public Guid ExperimentId { get; set; }
    public int Revision { get; set; }
    public string DatasetFile { get; set; } = "";
    public RunStatus Status { get; set; }
    public string? Error { get; set; }
    public string Log { get; set; } = "";
    /// <summary>The per-iteration metrics as JSON.</summary>
    public string CurveJson { get; set; } = "[]";
    /// <summary>Test metrics, best iteration, elapsed time, split and parameter messages as JSON, once finished.</summary>
    public string? ResultJson { get; set; }
    public string ParametersJson { get; set; } = "{}";
    /// <summary>The model's name (download and bundle entries); set when the job has a model.</summary>
    public string? ModelFile { get; set; }
    /// <summary>The trained model, in its own table so reading a job never loads it (a model can be megabytes).</summary>
    public TrainingModelEntity? Model { get; set; }
    public string MetricName { get; set; } = "";
    public double? PredictedFinal { get; set; }
    public double? RealFinal { get; set; }
    public Guid? RetryOf { get; set; }
    /// <summary>What the job trains: stage C's configuration, or a race of the portfolio's candidates (<see cref="TrainingJobs.TrainingModes"/>).</summary>
    public string Mode { get; set; } = TrainingJobs.TrainingModes.Recommended;
    /// <summary>The process that claimed and runs it (<c>host:pid</c>); its heartbeat is the lease.</summary>
    public string? ClaimedBy { get; set; }
    /// <summary>Cancel asked from a process that does not run it; the runner stops at its next checkpoint.</summary>
    public bool CancelRequested { get; set; }
    /// <summary>
    /// The model so far with early stopping's state (<see cref="Training.TrainingCheckpoint"/> as JSON), saved every
    /// <c>Training:ModelCheckpointSeconds</c>: a job whose runner died continues from it on another runner.
    /// </summary>
    public string? CheckpointJson { get; set; }
    public DateTime CreatedUtc { get; set; }
    public DateTime? StartedUtc { get; set; }
    public DateTime? HeartbeatUtc { get; set; }
    public DateTime? CompletedUtc { get; set; }
}

/// <summary>Which of the two cards a library entry holds.</summary>
public enum CardKind { Data, Model }

/// <summary>A data or model card saved in the card library for reuse across experiments.</summary>
public sealed class LibraryCardEntity
{
    public Guid Id { get; set; }
    public CardKind Kind { get; set; }
    public string Name { get; set; } = "";
    /// <summary>The card as JSON (DataCard or ModelCard).</summary>
    public string CardJson { get; set; } = "";
    /// <summary>Where it came from: "saved from the form", "imported from beans.md", "duplicate of …".</summary>
    public string Origin { get; set; } = "";
    /// <summary>Lower-cased text the library search matches: name, task, structure, description.</summary>
    public string SearchText { get; set; } = "";
    /// <summary>The account that saved it when sign-in is on; null in single-user mode.</summary>
    public string? OwnerId { get; set; }
    /// <summary>Shared cards are readable (and usable) by every account; private ones by their owner and admins only.</summary>
    public bool Shared { get; set; }
    public int Version { get; set; } = 1;
    public DateTime CreatedUtc { get; set; }
    public DateTime UpdatedUtc { get; set; }
}

/// <summary>
/// A save based on an older version than the one stored: another tab or user changed the same thing in between.
/// The UI offers to reload, or to keep the edit as a new revision; nothing is overwritten silently.
/// </summary>
public sealed class EditConflictException(string message, int currentVersion) : Exception(message)
{
    public int CurrentVersion { get; } = currentVersion;
}
