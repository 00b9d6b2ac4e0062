using System.Runtime.CompilerServices;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Hosting;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Web.Components.Stages;
using MudBlazor;

namespace AutoMLGpt.Web.Components.Runs;

/// <summary>
/// The live runs of one circuit (scoped): the one place that streams a run into the pages. It owns the usage lease,
/// cancellation, the <c>await foreach</c>, applying updates, the render throttle, token accounting and edit
/// conflicts, for new runs, re-runs, retries and chat follow-ups alike, and follows runs of other tabs. A run goes on
/// when the user moves to another page of the app (that page picks it up); it stops with Stop or when the circuit ends.
/// </summary>
public sealed class RunSessions(
    ExperimentRunner runner, ChatRefiner refiner, ExperimentStore store, LiveRuns live, UsageLimiter limiter,
    SessionIdentity identity, ISnackbar snackbar, TimeProvider clock, ILogger<RunSessions> logger) : IDisposable
{
    /// <summary>Streamed text reaches the browser at most this often; state changes go at once.</summary>
    public static readonly TimeSpan RenderInterval = TimeSpan.FromMilliseconds(80);

    /// <summary>Says whether to save anyway as a new revision when the experiment changed in another session.</summary>
    public delegate Task<bool> ConflictResolver(string message);

    private readonly List<RunSession> _own = [];

    /// <summary>The run this circuit drives for the experiment, while it is busy.</summary>
    public RunSession? For(Guid experimentId) => _own.LastOrDefault(s => s.ExperimentId == experimentId && s.Busy);

    /// <summary>The last run this circuit drove for the experiment, busy or ended (so a page opened after it ended can still say how).</summary>
    public RunSession? LastFor(Guid experimentId) => _own.LastOrDefault(s => s.ExperimentId == experimentId);

    /// <summary>Starts a run from a plan: a first run, a re-run or a retry. <paramref name="plan"/> gets "save anyway" after a conflict.</summary>
    public RunSession Start(IExperimentEngine engine, Func<bool, CancellationToken, Task<RunPlan?>> plan, ConflictResolver? resolve = null,
        Guid? experimentId = null, Guid? compareWith = null)
    {
        var session = Own(new RunSession(experimentId, following: false, compareWith));
        session.Driving = InBackground(session, () => DriveAsync(session, engine, (force, ct) => Planned(session, plan, force, ct), resolve));
        return session;
    }

    /// <summary>Sends a chat follow-up on the revision on screen; a reply that revises the experiment streams the new revision.</summary>
    public RunSession Send(Guid experimentId, string message, IExperimentEngine engine, int version, int revision, ConflictResolver resolve)
    {
        var session = Own(new RunSession(experimentId, following: false, isChat: true));
        session.Driving = InBackground(session, () => DriveAsync(session, engine, (force, ct) => refiner.SendAsync(experimentId, message, engine, ct, force ? null : version, revision), resolve));
        return session;
    }

    /// <summary>Follows runs of the experiment streamed by other tabs of this server until disposed.</summary>
    public RunSession Follow(Guid experimentId)
    {
        var session = new RunSession(experimentId, following: true);
        session.Driving = InBackground(session, () => FollowAsync(session));
        return session;
    }

    // A failure the stream loop did not handle (the database gone while ending a run) still ends the session on screen.
    private Task InBackground(RunSession session, Func<Task> work) =>
        BackgroundWork.Start(work, logger, $"run session of experiment {session.ExperimentId}", async _ =>
        {
            Ended(session);
            session.Error = "The run could not be finished: the database did not answer. What was saved is kept; reload the page, and see the server log for details.";
            await session.RaiseAsync(RunChange.Saved);
        });

    private RunSession Own(RunSession session)
    {
        _own.RemoveAll(s => !s.Busy && s.ExperimentId == session.ExperimentId);
        _own.Add(session);
        return session;
    }

    private async IAsyncEnumerable<ChatUpdate> Planned(RunSession session, Func<bool, CancellationToken, Task<RunPlan?>> plan, bool force,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        RunPlan? run;
        string? conflict = null;
        try { run = await plan(force, cancellationToken); }
        catch (EditConflictException ex) { (run, conflict) = (null, ex.Message); }
        if (conflict is not null) { yield return new ChatUpdate(ChatUpdateKind.Conflict, conflict); yield break; }
        if (run is null) { yield return new ChatUpdate(ChatUpdateKind.Failed, "This experiment no longer exists."); yield break; }
        session.ExperimentId = run.ExperimentId;
        yield return new ChatUpdate(ChatUpdateKind.RevisionStarted, Revision: run.Revision);
        await foreach (var update in runner.RunAsync(run, cancellationToken))
            yield return new ChatUpdate(ChatUpdateKind.Stage, Stage: update, Revision: run.Revision);
        yield return new ChatUpdate(ChatUpdateKind.Done, Revision: run.Revision);
    }

    // The one stream loop: quotas before anything is saved, then apply and throttle, then tokens whatever happened.
    private async Task DriveAsync(RunSession session, IExperimentEngine engine, Func<bool, CancellationToken, IAsyncEnumerable<ChatUpdate>> stream, ConflictResolver? resolve)
    {
        var lease = limiter.TryStartRun(identity.Id, !engine.IsOffline, out var refusal);
        if (lease is null) { await EndAsync(session, null, refusal); return; }
        TokenUsage? before = null;
        string? error = null, notice = null;
        try // covers every await after the lease: a fault anywhere must give its slot back
        {
            before = session.ExperimentId is { } known && await store.GetAsync(known) is { } saved ? saved.Usage : new TokenUsage(0, 0);
            var force = false;
            while (true)
            {
                string? conflict = null;
                var throttle = new Throttle(clock);
                await foreach (var update in stream(force, session.Token))
                {
                    if (update.Kind == ChatUpdateKind.Conflict) { conflict = update.Text; continue; }
                    var change = await ApplyAsync(session, update);
                    if (change != RunChange.Text || throttle.Due()) await session.RaiseAsync(change);
                }
                if (conflict is null) break;
                session.Error = null;
                if (resolve is null || !await resolve(conflict)) break;
                force = true; // saved as a new revision from the one on screen; both are kept
            }
        }
        catch (OperationCanceledException) when (session.Token.IsCancellationRequested)
        {
            session.Stages.EndRunning(RunStatus.Cancelled);
            notice = "Stopped. What arrived so far is saved and marked partial.";
        }
        catch (CardValidationException ex) { error = ex.Message; }
        catch (Exception ex)
        {
            logger.LogError(ex, "Run of experiment {ExperimentId} failed", session.ExperimentId);
            session.Stages.EndRunning(RunStatus.Failed);
            error = "The run failed unexpectedly; what was produced is saved. Press Retry, and see the server log for details.";
        }
        finally { lease.Dispose(); } // before the views hear of the end, so a new run can start from there
        await EndAsync(session, before, error ?? session.Error);
        if (notice is not null) snackbar.Add(notice, Severity.Info);
    }

    private async Task EndAsync(RunSession session, TokenUsage? before, string? error)
    {
        Ended(session);
        session.Error = error;
        session.ChatStreaming = null;
        if (before is not null && session.ExperimentId is { } id && await store.GetAsync(id) is { } after)
        {
            session.Usage = new TokenUsage(after.Usage.Input - before.Input, after.Usage.Output - before.Output);
            limiter.RecordTokens(identity.Id, session.Usage);
            session.Outcome = after.CurrentRevision?.Status ?? after.Status;
        }
        await session.RaiseAsync(RunChange.Saved);
    }

    private async Task FollowAsync(RunSession session)
    {
        var throttle = new Throttle(clock);
        try
        {
            await foreach (var e in live.FollowAsync(session.ExperimentId!.Value, session.Token))
            {
                var change = e.Kind switch
                {
                    LiveRunEventKind.Started => await ApplyAsync(session, new ChatUpdate(ChatUpdateKind.RevisionStarted, Revision: e.Revision)),
                    LiveRunEventKind.Stage => await ApplyAsync(session, new ChatUpdate(ChatUpdateKind.Stage, Stage: e.Update, Revision: e.Revision)),
                    _ => Ended(session),
                };
                if (change != RunChange.Text || throttle.Due()) await session.RaiseAsync(change);
            }
        }
        catch (OperationCanceledException) { } // the page closed
        catch (ObjectDisposedException) { }
    }

    private static RunChange Ended(RunSession session)
    {
        session.Busy = false;
        session.StagesLive = false;
        return RunChange.Saved;
    }

    private async Task<RunChange> ApplyAsync(RunSession session, ChatUpdate update)
    {
        switch (update.Kind)
        {
            case ChatUpdateKind.ReplyDelta:
                session.ChatStreaming += update.Text;
                return RunChange.Text;
            case ChatUpdateKind.ReplyDone:
                session.ChatStreaming = null;
                return RunChange.Saved;
            case ChatUpdateKind.RevisionStarted:
                session.Busy = true;
                session.Revision = update.Revision;
                // The stages the revision keeps show as they were; the others wait for their stream.
                var saved = session.ExperimentId is { } id ? await store.GetAsync(id, revision: update.Revision) : null;
                session.Stages.Reset(saved?.Stages.Where(s => s.Status == RunStatus.Succeeded).ToDictionary(s => s.Stage, s => s.Output));
                session.StagesLive = true;
                return RunChange.Saved;
            case ChatUpdateKind.Stage:
                var stage = update.Stage!;
                if (session.Stages.Apply(stage) is { } problem && !session.Following)
                    session.Error = $"{StageNames.Title(stage.Stage)}: {problem} The stages before it are saved; use Retry for a new attempt.";
                return stage.Kind == StageUpdateKind.Delta ? RunChange.Text : RunChange.State;
            case ChatUpdateKind.Failed:
                session.Error = update.Text;
                return RunChange.State;
            default:
                return RunChange.State;
        }
    }

    public void Dispose()
    {
        foreach (var session in _own) session.Dispose();
        _own.Clear();
    }

    private sealed class Throttle(TimeProvider clock)
    {
        private long _last = clock.GetTimestamp() - RenderInterval.Ticks * 2 * clock.TimestampFrequency / TimeSpan.TicksPerSecond; // the first text shows at once

        public bool Due()
        {
            if (clock.GetElapsedTime(_last) < RenderInterval) return false;
            _last = clock.GetTimestamp();
            return true;
        }
    }
}
