using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.Pipeline;

/// <summary>What a stage sees: the cards, the prompt paragraph and the outputs of the stages before it.</summary>
public sealed record StageContext(ExperimentCards Cards, string PromptParagraph, IReadOnlyDictionary<StageKind, StageOutput> Earlier);

/// <summary>One of the four stages of some engine. Streams its output; the last update is Completed or Failed.</summary>
public interface IPipelineStage
{
    StageKind Kind { get; }
    IAsyncEnumerable<StageUpdate> RunAsync(StageContext context, CancellationToken cancellationToken);
}
