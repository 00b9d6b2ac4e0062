using System.Runtime.CompilerServices;
using System.Text;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Pipeline;
using Microsoft.Extensions.Logging;

namespace AutoMLGpt.Core.Experiments;

/// <summary>
/// Runs the pipeline for a saved experiment and saves as it goes: each stage when it starts, its partial text at least
/// every <see cref="CheckpointInterval"/>, and its output when it completes. Whatever ends the run (success, failure,
/// Stop, a closed tab), the experiment's final status is written in <c>finally</c>.
/// </summary>
public sealed class ExperimentRunner(ExperimentStore store, TimeProvider clock, ILogger<ExperimentRunner> logger)
{
    public static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(2);

    public async IAsyncEnumerable<StageUpdate> RunAsync(
        Guid experimentId, IExperimentEngine engine, ExperimentCards cards, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var status = RunStatus.Running;
        string? error = null;
        StageKind? current = null;
        var text = new StringBuilder();
        var lastCheckpoint = clock.GetTimestamp();
        try
        {
            await foreach (var update in PipelineRunner.RunAsync(engine, cards, cancellationToken))
            {
                switch (update.Kind)
                {
                    case StageUpdateKind.Started:
                        current = update.Stage;
                        text.Clear();
                        await store.SaveStageAsync(experimentId, 1, update.Stage, RunStatus.Running, new StageOutput(update.Stage, ""), null, CancellationToken.None);
                        lastCheckpoint = clock.GetTimestamp();
                        break;
                    case StageUpdateKind.Delta:
                        text.Append(update.Text);
                        if (clock.GetElapsedTime(lastCheckpoint) >= CheckpointInterval)
                        {
                            await store.SaveStageAsync(experimentId, 1, update.Stage, RunStatus.Running, new StageOutput(update.Stage, text.ToString()), null, CancellationToken.None);
                            lastCheckpoint = clock.GetTimestamp();
                        }
                        break;
                    case StageUpdateKind.Completed:
                        await store.SaveStageAsync(experimentId, 1, update.Stage, RunStatus.Succeeded, update.Output!, null, CancellationToken.None);
                        current = null;
                        break;
                    case StageUpdateKind.Failed:
                        status = RunStatus.Failed;
                        error = $"{StageNames.Title(update.Stage)} failed: {update.Text}";
                        await store.SaveStageAsync(experimentId, 1, update.Stage, RunStatus.Failed, new StageOutput(update.Stage, text.ToString()), update.Text, CancellationToken.None);
                        current = null;
                        break;
                }
                yield return update;
            }
            if (status == RunStatus.Running) status = RunStatus.Succeeded;
        }
        finally
        {
            if (status == RunStatus.Running)
            {
                // Ended by Stop, a closed circuit or an exception: keep the partial text of the stage in flight.
                status = cancellationToken.IsCancellationRequested ? RunStatus.Cancelled : RunStatus.Failed;
                error = status == RunStatus.Cancelled ? "Stopped by the user." : "The run ended unexpectedly; see the server log.";
                if (current is { } stage)
                    await store.SaveStageAsync(experimentId, 1, stage, status, new StageOutput(stage, text.ToString()), error, CancellationToken.None);
            }
            await store.FinishAsync(experimentId, status, error, CancellationToken.None);
            logger.LogInformation("Experiment {ExperimentId} finished on {Engine}: {Status}", experimentId, engine.Name, status);
        }
    }
}
