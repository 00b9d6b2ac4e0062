using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.Pipeline;

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
