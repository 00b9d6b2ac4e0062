using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Web.Components.Stages;

namespace AutoMLGpt.Web.Components.Runs;

/// <summary>What changed in a live run, so each view re-renders only for what it shows.</summary>
public enum RunChange
{
    /// <summary>More text streamed into a stage or the chat reply (raised at most every <see cref="RunSessions.RenderInterval"/>).</summary>
    Text,
    /// <summary>A stage started or ended, an error appeared, the run's busy state changed.</summary>
    State,
    /// <summary>Something new was saved (a chat reply, a new revision, the end of the run): views that show the saved experiment reload it.</summary>
    Saved,
}

/// <summary>
/// One live run as the pages see it: a new run, a retry, a chat follow-up started in this circuit, or a run followed
/// from another tab. Its state changes only on the circuit's dispatcher; views subscribe to <see cref="Changed"/>.
/// </summary>
public sealed class RunSession : IDisposable
{
    private readonly CancellationTokenSource _cts = new();

    internal RunSession(Guid? experimentId, bool following, Guid? compareWith = null, bool isChat = false)
    {
        IsChat = isChat;
        ExperimentId = experimentId;
        Following = following;
        CompareWith = compareWith;
        Busy = !following;
    }

    public Guid? ExperimentId { get; internal set; }

    /// <summary>The revision streaming now (or last streamed).</summary>
    public int? Revision { get; internal set; }

    /// <summary>True for a run of another tab of this server, followed as it streams; false for a run this circuit drives.</summary>
    public bool Following { get; }

    /// <summary>A chat follow-up (its reply streams before any revision).</summary>
    public bool IsChat { get; }

    /// <summary>"Re-run on…": the experiment to compare with once this run has finished.</summary>
    public Guid? CompareWith { get; }

    public LiveStages Stages { get; } = new();

    /// <summary>True while stages stream (the board shows <see cref="Stages"/> instead of the saved revision).</summary>
    public bool StagesLive { get; internal set; }

    /// <summary>The chat reply as it streams.</summary>
    public string? ChatStreaming { get; internal set; }

    /// <summary>Why the run (or a stage of it) failed, or why it could not start; says what to do next.</summary>
    public string? Error { get; internal set; }

    /// <summary>Tokens this run used, counted when it ends.</summary>
    public TokenUsage Usage { get; internal set; } = new(0, 0);

    /// <summary>True while the run streams. A followed run is busy while the other tab's revision streams.</summary>
    public bool Busy { get; internal set; }

    /// <summary>How the run ended, once it has (null while busy, or when it never started).</summary>
    public RunStatus? Outcome { get; internal set; }

    public bool CanRetry => !Busy && Stages.CanRetry;

    /// <summary>The background work streaming this session; it ends once the session has ended (failures included).</summary>
    public Task Driving { get; internal set; } = Task.CompletedTask;

    public CancellationToken Token => _cts.Token;

    public event Func<RunChange, Task>? Changed;

    /// <summary>Stops the run; what streamed so far is saved and marked partial. A followed run is stopped by its own tab.</summary>
    public void Stop()
    {
        if (!Following) _cts.Cancel();
    }

    internal async Task RaiseAsync(RunChange change)
    {
        if (Changed is not { } handlers) return;
        foreach (var handler in handlers.GetInvocationList().Cast<Func<RunChange, Task>>())
        {
            try { await handler(change); }
            catch (ObjectDisposedException) { } // a view that went away; the run goes on
        }
    }

    // Cancels only: the stream loop reads the token after this (to tell a stop from a failure), and the source owns no timer.
    public void Dispose() => _cts.Cancel();
}
