using System.Runtime.CompilerServices;
using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.Pipeline;

/// <summary>
/// Runs the four stages of an engine in order; each stage sees the earlier outputs. A failed stage stops the run
/// (later stages depend on it). Cancellation is not swallowed: it ends the enumeration with <see cref="OperationCanceledException"/>.
/// </summary>
public static class PipelineRunner
{
    public static async IAsyncEnumerable<StageUpdate> RunAsync(
        IExperimentEngine engine, ExperimentCards cards, [EnumeratorCancellation] CancellationToken cancellationToken,
        IReadOnlyDictionary<StageKind, StageOutput>? earlier = null, IEnumerable<StageKind>? stages = null)
    {
        var prompt = PromptParagraph.Compose(cards);
        var done = new Dictionary<StageKind, StageOutput>(earlier ?? new Dictionary<StageKind, StageOutput>());
        foreach (var kind in stages ?? StageNames.InOrder)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return StageUpdate.Started(kind);
            var context = new StageContext(cards, prompt, new Dictionary<StageKind, StageOutput>(done));
            StageUpdate? last = null;
            await using var updates = engine.Stage(kind).RunAsync(context, cancellationToken).GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                StageUpdate update;
                try
                {
                    if (!await updates.MoveNextAsync()) break;
                    update = updates.Current;
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    update = StageUpdate.Failed(kind, ex.Message);
                }
                if (update.Kind == StageUpdateKind.Started) continue;
                last = update;
                yield return update;
                if (update.IsTerminal) break;
            }
            cancellationToken.ThrowIfCancellationRequested();
            if (last is { Kind: StageUpdateKind.Completed, Output: { } output }) { done[kind] = output; continue; }
            if (last is not { Kind: StageUpdateKind.Failed or StageUpdateKind.Interrupted })
                yield return StageUpdate.Interrupted(kind, "The stage ended without a result.");
            yield break;
        }
    }
}
