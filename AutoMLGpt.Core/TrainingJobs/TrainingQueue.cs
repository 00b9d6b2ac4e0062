using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AutoMLGpt.Core.TrainingJobs;

/// <summary>
/// The hosted side of training: runners that claim queued jobs from the database (with a lease; the heartbeat renews it)
/// and run them, <c>Training:MaxConcurrentJobs</c> at a time, and a loop that learns from runs finished elsewhere. With
/// <c>Training:RunJobs=false</c> or a child worker, this process only learns; others run the jobs.
/// </summary>
public sealed class TrainingQueue(TrainingJobStore jobs, TrainingJobRunner runner, TrainingExperience experience, TrainingOptions options,
    TimeProvider clock, ILogger<TrainingQueue> logger) : BackgroundService
{
    /// <summary>Wakes an idle runner when this process queues a job; the jobs themselves are claimed from the database.</summary>
    private readonly Channel<Guid> _wake = Channel.CreateUnbounded<Guid>();

    /// <summary>Says a job was queued here, so an idle runner looks at once instead of at its next poll.</summary>
    public void Wake(Guid jobId) => _wake.Writer.TryWrite(jobId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var learning = LearnLoopAsync(stoppingToken);
        if (!options.RunJobs || options.InChildProcess)
        {
            if (options.InChildProcess) logger.LogInformation("Training:Isolation is ChildProcess: a child worker process trains; this process queues and follows.");
            else logger.LogInformation("Training:RunJobs is false: this process queues and follows training jobs; workers on the database run them.");
            await learning;
            return;
        }
        var runners = Enumerable.Range(0, Math.Max(1, options.MaxConcurrentJobs)).Select(_ => ClaimLoopAsync(stoppingToken)).ToArray();
        await Task.WhenAll([.. runners, learning]);
    }

    private async Task LearnLoopAsync(CancellationToken stoppingToken)
    {
        var every = TimeSpan.FromSeconds(Math.Max(options.PollSeconds, 1));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, clock, stoppingToken);
                if (await experience.LearnFinishedRunsAsync(stoppingToken) is > 0 and var added)
                    logger.LogInformation("Learned from {Count} training run(s) that finished elsewhere.", added);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
            catch (Exception ex) { logger.LogWarning("Could not read finished training runs ({Error}); trying again.", ex.Message); }
        }
    }

    private async Task ClaimLoopAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Guid? id;
                try { id = await jobs.ClaimNextAsync(TrainingJobStore.ThisProcess, stoppingToken); }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning("Could not look for queued training jobs ({Error}); trying again.", ex.Message);
                    id = null;
                }
                if (id is not { } claimed)
                {
                    // Idle: woken at once by a job queued here, or after PollSeconds for one another process queued.
                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    wait.CancelAfter(TimeSpan.FromSeconds(options.PollSeconds));
                    try { await _wake.Reader.ReadAsync(wait.Token); }
                    catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested) { }
                    catch (ChannelClosedException) { return; }
                    continue;
                }
                try { await runner.RunAsync(claimed, stoppingToken); }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // One job's failure to save must not stop this runner from taking the next one.
                    logger.LogError(ex, "Training job {JobId} could not be finished", claimed);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _wake.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }
}
