using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using AutoMLGpt.Core.TrainingJobs;

namespace AutoMLGpt.Core.Experiments;

/// <summary>How often live runs say they are alive, and how long a silent one is trusted (section <c>Runs</c>).</summary>
public sealed class RunOptions
{
    public const string Section = "Runs";

    public double HeartbeatSeconds { get; set; } = 5;

    /// <summary>A run whose heartbeat is older than this belongs to a process that is gone: it becomes interrupted.</summary>
    public double StaleAfterSeconds { get; set; } = 30;

    /// <summary>Compile and warm what the first run needs in the background at start (see <see cref="StartupWarmup"/>).</summary>
    public bool WarmUpAtStart { get; set; } = true;

    /// <summary>At most a third of the stale time, so two missed beats never make a live run look dead.</summary>
    public TimeSpan Heartbeat => TimeSpan.FromSeconds(Math.Min(HeartbeatSeconds, StaleAfterSeconds / 3));

    public TimeSpan StaleAfter => TimeSpan.FromSeconds(StaleAfterSeconds);

    public IEnumerable<string> Problems()
    {
        if (HeartbeatSeconds is not (> 0 and <= 3600)) yield return "Runs:HeartbeatSeconds must be between 0 and 3600 (exclusive of 0).";
        if (StaleAfterSeconds is not (>= 1 and <= 86_400)) yield return "Runs:StaleAfterSeconds must be between 1 and 86400.";
    }
}

/// <summary>
/// Writes the heartbeats of this process's live runs and interrupts runs whose heartbeat went stale (their process
/// was killed or lost its database), keeping everything they checkpointed. Runs at start-up and every heartbeat.
/// </summary>
public sealed class RunHeartbeatService(
    LiveRuns live, ExperimentStore experiments, TrainingJobStore jobs, RunOptions options, TimeProvider clock, ILogger<RunHeartbeatService> logger) : BackgroundService
{
    /// <summary>One beat: refresh what is live here, then interrupt what is stale. Returns how many runs were interrupted.</summary>
    public async Task<int> BeatAndSweepAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await experiments.BeatAsync(live.Revisions, live.Messages, now, cancellationToken);
        await jobs.BeatAsync(live.TrainingJobs, now, cancellationToken);
        var staleBefore = now - options.StaleAfter;
        var interrupted = await experiments.InterruptStaleRunsAsync(staleBefore, cancellationToken)
                        + await jobs.InterruptStaleAsync(staleBefore, cancellationToken);
        if (interrupted > 0)
            logger.LogWarning("{Count} run(s) with no heartbeat since {StaleBefore:u} were marked interrupted (their process stopped); their saved output is kept", interrupted, staleBefore);
        return interrupted;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Heartbeat, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try { await BeatAndSweepAsync(stoppingToken); }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A busy or briefly unreachable database must not stop the heartbeats for good.
                    logger.LogWarning(ex, "Heartbeat of live runs failed; trying again in {Seconds} s", options.Heartbeat.TotalSeconds);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    /// <summary>
    /// Live runs end on ApplicationStopping and write themselves as interrupted; the process must not exit before those
    /// writes land. Waits (at most 10 s, and never past the host's shutdown timeout) until no stage stream or chat reply
    /// of this process is live.
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((live.Revisions.Count > 0 || live.Messages.Count > 0) && waited.Elapsed < TimeSpan.FromSeconds(10) && !cancellationToken.IsCancellationRequested)
            await Task.Delay(50, CancellationToken.None);
        if (live.Revisions.Count > 0 || live.Messages.Count > 0)
            logger.LogWarning("Stopping with {Count} run(s) still live; the next start marks them interrupted", live.Revisions.Count + live.Messages.Count);
    }
}
