using System.Diagnostics;
using AutoMLGpt.Core.TrainingJobs;

namespace AutoMLGpt.Web.Training;

/// <summary>
/// With <c>Training:Isolation=ChildProcess</c> the web app trains nothing itself: it keeps one worker running as its own
/// child process (the web app's assembly with <c>--worker</c>) under a memory limit (<c>prlimit --data</c>). A native
/// crash or the limit ends only the child: its running job is failed with the reason, and a new child starts.
/// </summary>
internal sealed class ChildWorkerDispatcher(TrainingOptions options, TrainingJobStore jobs, IConfiguration configuration, IHostEnvironment environment,
    ILogger<ChildWorkerDispatcher> logger) : BackgroundService
{
    // Settings the child needs to see the same database, data folder and training options as this process.
    private static readonly string[] Sections = ["ConnectionStrings", "Database", "Training", "Runs", "Offline", "Encoder", "Knowledge", "Portfolio"];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.InChildProcess || !options.RunJobs) return;
        var backoff = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            using var child = Start(out var limited);
            var started = Stopwatch.StartNew();
            logger.LogInformation("Training worker child process {Pid} started ({Limit}).", child.Id,
                limited ? $"memory limit {options.ChildMemoryMegabytes} MB" : "no memory limit: prlimit is not installed");
            try { await child.WaitForExitAsync(stoppingToken); }
            catch (OperationCanceledException)
            {
                // The app stops: the child is asked to stop (SIGTERM), so its running job is saved and, after a model
                // checkpoint, queued again; it is killed if it has not ended in time. It also ends if this process dies.
                await StopGracefullyAsync(child);
                return;
            }
            var runner = $"{Environment.MachineName}:{child.Id}";
            var reason = WorkerHost.DescribeExit(child.ExitCode, $"at its memory limit of {options.ChildMemoryMegabytes} MB");
            var failed = await jobs.FailClaimedByAsync(runner,
                $"The training process stopped: {reason}. Training runs in a child process (Training:ChildMemoryMegabytes = {options.ChildMemoryMegabytes}), so the app kept running; " +
                "try a smaller table or a higher limit, then start a new run.", CancellationToken.None);
            logger.LogWarning("Training worker child process {Pid} ended ({Reason}); {Failed} running job(s) failed; starting a new one.", child.Id, reason, failed);
            if (started.Elapsed > TimeSpan.FromMinutes(1)) backoff = TimeSpan.FromSeconds(1);
            await Task.Delay(backoff, stoppingToken);
            backoff = TimeSpan.FromSeconds(Math.Min(30, backoff.TotalSeconds * 2));
        }
    }

    private async Task StopGracefullyAsync(Process child)
    {
        try
        {
            if (child.HasExited) return;
            if (OperatingSystem.IsWindows() || SignalTerminate(child.Id, 15) != 0) child.Kill(entireProcessTree: true);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(options.ChildStopSeconds));
            try { await child.WaitForExitAsync(grace.Token); }
            catch (OperationCanceledException)
            {
                logger.LogWarning("Training worker child process {Pid} did not stop within {Seconds} s; killing it.", child.Id, options.ChildStopSeconds);
                child.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException) { } // already gone
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SignalTerminate(int pid, int signal);

    private Process Start(out bool limited)
    {
        var app = typeof(Program).Assembly.Location;
        limited = File.Exists("/usr/bin/prlimit");
        var start = new ProcessStartInfo(limited ? "/usr/bin/prlimit" : "dotnet")
        {
            WorkingDirectory = environment.ContentRootPath, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        // prlimit execs dotnet: the child's pid is the worker's, which is what it claims jobs as.
        if (limited) foreach (var a in new[] { $"--data={(long)options.ChildMemoryMegabytes * 1024 * 1024}", "--core=0", "--", "dotnet" }) start.ArgumentList.Add(a);
        start.ArgumentList.Add(app);
        start.ArgumentList.Add("--worker");
        foreach (var (key, value) in configuration.AsEnumerable().Where(kv => kv.Value is not null && Sections.Any(s => kv.Key.StartsWith(s + ":", StringComparison.OrdinalIgnoreCase))))
            start.Environment[key.Replace(":", "__")] = value;
        start.Environment["Training__Isolation"] = "InProcess";
        start.Environment["Training__RunJobs"] = "true";
        start.Environment["Runs__WarmUpAtStart"] = "false";
        start.Environment["DOTNET_ENVIRONMENT"] = environment.EnvironmentName;
        start.Environment[WorkerHost.ParentProcessVariable] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var child = Process.Start(start) ?? throw new InvalidOperationException("The training worker child process could not be started.");
        child.OutputDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) logger.LogDebug("worker {Pid}: {Line}", child.Id, line); };
        child.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) logger.LogWarning("worker {Pid}: {Line}", child.Id, line); };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        return child;
    }
}
