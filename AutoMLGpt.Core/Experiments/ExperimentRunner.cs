using System.Runtime.CompilerServices;
using System.Text;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AutoMLGpt.Core.Experiments;

/// <summary>What one run will do: which revision it fills, with which engine, which stages, seeing which earlier outputs.</summary>
public sealed record RunPlan(
    Guid ExperimentId, int Revision, IExperimentEngine Engine, ExperimentCards Cards,
    IReadOnlyList<StageKind> Stages, IReadOnlyDictionary<StageKind, StageOutput> Earlier);

/// <summary>
/// Runs stages for a saved experiment and saves as it goes: each stage when it starts, its partial text at least every
/// <see cref="CheckpointInterval"/>, and its output when it ends. Whatever ends the run (success, failure, a broken
/// stream, Stop, a closed tab), the revision's final status is written in <c>finally</c>.
/// </summary>
public sealed class ExperimentRunner(ExperimentStore store, LiveRuns live, TimeProvider clock, ILogger<ExperimentRunner> logger, IHostApplicationLifetime? lifetime = null)
{
    public static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(2);

    /// <summary>Saves a new experiment (revision 1) and plans all four stages.</summary>
    /// <param name="ownerId">The account it belongs to when sign-in is on (<see cref="Access.Viewer.OwnerToRecord"/>).</param>
    public async Task<RunPlan> PlanFirstRunAsync(ExperimentCards cards, IExperimentEngine engine, Guid? rerunOf = null, string? datasetFile = null,
        string? ownerId = null, CancellationToken cancellationToken = default)
    {
        var id = await store.CreateAsync(cards, engine.Name, rerunOf, datasetFile, engine.Settings, ownerId, cancellationToken: cancellationToken);
        return new RunPlan(id, 1, engine, cards, StageNames.InOrder, new Dictionary<StageKind, StageOutput>());
    }

    /// <summary>
    /// "Run again": a new experiment with a copy of a saved one's cards and its uploaded data, linked to it as a re-run
    /// (so it can be compared), on <paramref name="engine"/>. Null when the source no longer exists.
    /// </summary>
    /// <param name="ownerId">Who re-runs it: the new experiment is theirs, whoever owned the source.</param>
    public async Task<RunPlan?> PlanRerunAsync(Guid sourceId, IExperimentEngine engine, string? ownerId = null, CancellationToken cancellationToken = default)
    {
        if (await store.GetAsync(sourceId, cancellationToken: cancellationToken) is not { } source) return null;
        var cards = source.Cards.DeepCopy();
        var datasetFile = cards.Data.Modality == DataModality.Tabular ? source.DatasetFile : null;
        return await PlanFirstRunAsync(cards, engine, sourceId, datasetFile, ownerId, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// A retry is a new attempt: a new revision that keeps the stages that succeeded before the first one that did not,
    /// and runs from there. The failed attempt stays in its own revision.
    /// </summary>
    public async Task<RunPlan?> PlanRetryAsync(Guid experimentId, IExperimentEngine engine, int? basedOnVersion = null,
        CancellationToken cancellationToken = default)
    {
        var saved = await store.GetAsync(experimentId, cancellationToken: cancellationToken);
        if (saved is null) return null;
        var firstToRun = StageNames.InOrder.FirstOrDefault(s => saved.Stage(s)?.Status != RunStatus.Succeeded, StageKind.TrainingLog);
        var keep = StageNames.InOrder.TakeWhile(s => s < firstToRun).ToList();
        var followUp = saved.CurrentRevision?.FollowUp;
        var revision = await store.CreateRevisionAsync(experimentId, saved.Revision, $"retry from {StageNames.Title(firstToRun)}", engine.Name, followUp, keep, basedOnVersion, engine.Settings, cancellationToken: cancellationToken);
        return new RunPlan(experimentId, revision, engine.WithFollowUp(followUp), saved.Cards,
            StageNames.InOrder.Where(s => !keep.Contains(s)).ToList(),
            keep.ToDictionary(s => s, s => saved.Stage(s)!.Output));
    }

    /// <summary>A new revision for a chat follow-up: <paramref name="rerun"/> stages are produced again, the rest kept.</summary>
    /// <param name="fromRevision">The revision the follow-up refines (the one the user was looking at); the latest when null.</param>
    public async Task<RunPlan?> PlanRevisionAsync(Guid experimentId, string reason, IExperimentEngine engine, IReadOnlyCollection<StageKind> rerun,
        int? basedOnVersion = null, int? fromRevision = null, CancellationToken cancellationToken = default)
    {
        var saved = await store.GetAsync(experimentId, fromRevision, cancellationToken: cancellationToken);
        if (saved is null) return null;
        var keep = StageNames.InOrder.Where(s => !rerun.Contains(s) && saved.Stage(s)?.Status == RunStatus.Succeeded).ToList();
        var revision = await store.CreateRevisionAsync(experimentId, saved.Revision, reason, engine.Name, engine.FollowUp, keep, basedOnVersion, engine.Settings, cancellationToken: cancellationToken);
        return new RunPlan(experimentId, revision, engine, saved.Cards,
            StageNames.InOrder.Where(s => !keep.Contains(s)).ToList(),
            keep.ToDictionary(s => s, s => saved.Stage(s)!.Output));
    }

    public async IAsyncEnumerable<StageUpdate> RunAsync(RunPlan plan, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (id, revision) = (plan.ExperimentId, plan.Revision);
        var status = RunStatus.Running;
        string? error = null;
        StageKind? current = null;
        var text = new StringBuilder();
        var lastCheckpoint = clock.GetTimestamp();
        using var alive = live.Revision(id, revision); // heartbeats while this process runs it
        using var broadcast = live.Broadcast(id, revision, plan.Earlier); // other tabs follow; ends after the final save
        // A stopping app (SIGTERM) ends the stream at once, so the run is written as interrupted within the shutdown timeout.
        var appStopping = lifetime?.ApplicationStopping ?? CancellationToken.None;
        using var stopped = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, appStopping);
        try
        {
            await foreach (var update in PipelineRunner.RunAsync(plan.Engine, plan.Cards, stopped.Token, plan.Earlier, plan.Stages))
            {
                switch (update.Kind)
                {
                    case StageUpdateKind.Started:
                        current = update.Stage;
                        text.Clear();
                        await store.SaveStageAsync(id, revision, update.Stage, RunStatus.Running, new StageOutput(update.Stage, ""), null, CancellationToken.None);
                        lastCheckpoint = clock.GetTimestamp();
                        break;
                    case StageUpdateKind.Delta:
                        text.Append(update.Text);
                        if (clock.GetElapsedTime(lastCheckpoint) >= CheckpointInterval)
                        {
                            await store.SaveStageAsync(id, revision, update.Stage, RunStatus.Running, new StageOutput(update.Stage, text.ToString()), null, CancellationToken.None);
                            lastCheckpoint = clock.GetTimestamp();
                        }
                        break;
                    case StageUpdateKind.Completed:
                        await store.SaveStageAsync(id, revision, update.Stage, RunStatus.Succeeded, update.Output!, null, CancellationToken.None);
                        current = null;
                        break;
                    case StageUpdateKind.Failed or StageUpdateKind.Interrupted:
                        status = update.Kind == StageUpdateKind.Failed ? RunStatus.Failed : RunStatus.Interrupted;
                        error = $"{StageNames.Title(update.Stage)} {(status == RunStatus.Failed ? "failed" : "was interrupted")}: {update.Text}";
                        var partial = update.Output ?? new StageOutput(update.Stage, text.ToString());
                        await store.SaveStageAsync(id, revision, update.Stage, status, partial, update.Text, CancellationToken.None);
                        current = null;
                        break;
                }
                live.Publish(id, update);
                yield return update;
            }
            if (status == RunStatus.Running) status = RunStatus.Succeeded;
        }
        finally
        {
            if (status == RunStatus.Running)
            {
                // Ended by the app stopping, Stop, a closed circuit or an exception: keep the partial text of the stage in flight.
                (status, error) = appStopping.IsCancellationRequested ? (RunStatus.Interrupted, "The app stopped during this run; the output saved up to then is kept.")
                    : cancellationToken.IsCancellationRequested ? (RunStatus.Cancelled, "Stopped by the user.")
                    : (RunStatus.Failed, "The run ended unexpectedly; see the server log.");
                if (current is { } stage)
                    await store.SaveStageAsync(id, revision, stage, status, new StageOutput(stage, text.ToString()), error, CancellationToken.None);
            }
            await store.FinishAsync(id, revision, status, error, CancellationToken.None);
            logger.LogInformation("Experiment {ExperimentId} revision {Revision} finished on {Engine}: {Status}", id, revision, plan.Engine.Name, status);
        }
    }
}
