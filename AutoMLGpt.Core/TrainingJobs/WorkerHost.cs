using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AutoMLGpt.Core.TrainingJobs;

/// <summary>
/// A training worker as a generic host: claims queued jobs from the database (its heartbeat is the lease), trains them
/// and writes log, curve, checkpoints and result back, so any web node follows them. <c>AutoMLGpt.Worker</c> runs it on
/// other machines; the web app runs it as its own child process (<c>Training:Isolation=ChildProcess</c>).
/// </summary>
public static class WorkerHost
{
    /// <summary>Set by a parent that started this worker: the worker ends when that process is gone (no orphans).</summary>
    public const string ParentProcessVariable = "AUTOMLGPT_PARENT_PID";

    public static async Task RunAsync(string[] args, string? contentRoot = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = contentRoot });
        builder.Services.AddAutoMLGptCore(builder.Configuration, builder.Environment.ContentRootPath);
        if (int.TryParse(Environment.GetEnvironmentVariable(ParentProcessVariable), out var parent))
            builder.Services.AddHostedService(sp => new ParentWatch(parent, sp.GetRequiredService<IHostApplicationLifetime>()));
        var host = builder.Build();
        await host.Services.InitialiseAutoMLGptDatabaseAsync();
        host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AutoMLGpt.Worker").LogInformation(
            "Training worker {Worker} on {Provider}: claiming queued jobs.", TrainingJobStore.ThisProcess, host.Services.GetRequiredService<StorageSummary>().Provider);
        await host.RunAsync();
    }

    private sealed class ParentWatch(int parent, IHostApplicationLifetime lifetime) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (!IsAlive(parent)) { lifetime.StopApplication(); return; }
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <summary>
    /// How a training process ended, from its exit code (on Linux 128 + the signal): what a parent tells the user about
    /// a child worker or a distributed job's process. <paramref name="likelyKiller"/> says what most likely sent SIGKILL.
    /// </summary>
    public static string DescribeExit(int code, string likelyKiller) => code switch
    {
        137 => $"it was killed (exit 137), most likely {likelyKiller}",
        134 => "it aborted (exit 134): a native crash or the runtime running out of memory",
        139 => "it crashed (exit 139, segmentation fault) in native code",
        _ => $"exit code {code}",
    };

    /// <summary>Whether the process still runs (what a child started by it watches, to end with it).</summary>
    internal static bool IsAlive(int pid)
    {
        try { using var p = System.Diagnostics.Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
