using System.Collections.Concurrent;
using System.Text;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.Training;

namespace AutoMLGpt.Core.TrainingJobs;

/// <summary>What a job of this process has produced so far, kept in memory between checkpoints.</summary>
public sealed class LiveTrainingJob
{
    internal readonly object Gate = new();
    internal readonly StringBuilder Log = new();
    internal readonly List<IterationMetrics> Curve = [];
    internal RunStatus Status = RunStatus.Queued;
    /// <summary>The latest model checkpoint (a run's or a race's, as JSON) taken on the training thread, waiting for the checkpoint loop to save it.</summary>
    internal string? PendingCheckpoint;
    /// <summary>The job's row holds a model checkpoint (saved by this runner or one before it).</summary>
    internal bool HasSavedCheckpoint;
    /// <summary>Keeps the job's heartbeat going from the queue to its end.</summary>
    internal IDisposable? Alive;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next change (a log line, an iteration, the end).</summary>
    internal Task Changed => Volatile.Read(ref _changed).Task;

    internal void Touch() => Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    internal void Append(string line)
    {
        lock (Gate) Log.AppendLine(line);
        Touch();
    }

    internal void AddIteration(IterationMetrics m, DataCard card, string metric)
    {
        lock (Gate)
        {
            Curve.Add(m);
            Log.AppendLine(LightGbmTrainer.LogLine(m, card, metric));
        }
        Touch();
    }

    internal void SetPendingCheckpoint<T>(T checkpoint)
    {
        var json = TrainingJobStore.Serialize(checkpoint);
        lock (Gate) PendingCheckpoint = json;
    }

    internal string? TakePendingCheckpoint()
    {
        lock (Gate)
        {
            var pending = PendingCheckpoint;
            PendingCheckpoint = null;
            return pending;
        }
    }

    /// <summary>The log and curve now and, with <paramref name="takeCheckpoint"/>, the pending model checkpoint, together: a checkpoint saved with an older curve would leave a gap on resume.</summary>
    internal (string Log, string Curve, string? Checkpoint) Snapshot(bool takeCheckpoint = false)
    {
        lock (Gate) return (Log.ToString(), TrainingJobStore.Serialize(Curve), takeCheckpoint ? TakePendingCheckpoint() : null); // the lock is re-entrant
    }
}

/// <summary>
/// The jobs this process queued or runs, live: their log and curve between checkpoints, the Cancel of the running ones,
/// and the stream a page follows. Everything else is read from the database (jobs of other processes too).
/// </summary>
public sealed class LiveTrainingJobs(TrainingJobStore jobs, TrainingOptions options, LiveRuns liveRuns, TimeProvider clock)
{
    private readonly ConcurrentDictionary<Guid, LiveTrainingJob> _live = new();
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _running = new();

    /// <summary>A job queued here, or claimed here though queued elsewhere: live from now on, its heartbeat going.</summary>
    internal LiveTrainingJob Track(Guid jobId) => _live.GetOrAdd(jobId, id => new LiveTrainingJob { Alive = liveRuns.TrainingJob(id) });

    internal bool TryGet(Guid jobId, out LiveTrainingJob live) => _live.TryGetValue(jobId, out live!);

    /// <summary>The job runs here now; <paramref name="cancel"/> is what Cancel fires.</summary>
    internal void Running(Guid jobId, CancellationTokenSource cancel) => _running[jobId] = cancel;

    /// <summary>The job ended here: followers read its saved, final state from now on.</summary>
    internal void Ended(Guid jobId)
    {
        _running.TryRemove(jobId, out _);
        if (!_live.TryRemove(jobId, out var live)) return;
        live.Touch();
        live.Alive?.Dispose();
    }

    /// <summary>Stops the job if it runs in this process (within one boosting iteration); false if it does not run here.</summary>
    internal async Task<bool> TryCancelRunningAsync(Guid jobId)
    {
        if (!_running.TryGetValue(jobId, out var cancel)) return false;
        await cancel.CancelAsync();
        return true;
    }

    /// <summary>The job as the page should show it: the live state while it runs here, else the saved one.</summary>
    public async Task<TrainingJobView?> GetAsync(Guid jobId, CancellationToken ct = default)
    {
        var saved = await jobs.FindAsync(jobId, ct);
        if (saved is null) return null;
        var view = TrainingJobStore.ToView(saved);
        if (_running.ContainsKey(jobId) && _live.TryGetValue(jobId, out var live) && view.Status is RunStatus.Running or RunStatus.Queued)
            lock (live.Gate) view = view with { Log = live.Log.ToString(), Curve = live.Curve.ToList() };
        return view;
    }

    /// <summary>
    /// The job as it changes: its state now, then again after each change (at most every <paramref name="interval"/>,
    /// default 250 ms), until it ends. While it runs in this process the changes are signalled; a job this process does
    /// not run (another instance) is read from the database as its checkpoints land.
    /// </summary>
    public async IAsyncEnumerable<TrainingJobView> FollowAsync(Guid jobId, TimeSpan? interval = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var every = interval ?? TimeSpan.FromMilliseconds(250);
        while (true)
        {
            var changed = _live.TryGetValue(jobId, out var live) ? live.Changed : null; // taken before reading, so no change is missed
            var view = await GetAsync(jobId, cancellationToken);
            if (view is null) yield break;
            yield return view;
            if (view.Status is not (RunStatus.Running or RunStatus.Queued)) yield break;
            var checkpoint = Task.Delay(TimeSpan.FromSeconds(options.CheckpointSeconds), clock, cancellationToken);
            if (changed is null) await checkpoint;
            else
            {
                // Signalled while this process runs it; a job queued here but claimed by another runner lands as checkpoints.
                await Task.WhenAny(changed, checkpoint).WaitAsync(cancellationToken);
                if (changed.IsCompleted) await Task.Delay(every, clock, cancellationToken); // coalesce a burst of iterations into one update
            }
        }
    }
}
