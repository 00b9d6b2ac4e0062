using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace AutoMLGpt.Core.Training.Distributed;

/// <summary>What a distributed job's process reports on standard output, one JSON object per line after <see cref="RankReport.Prefix"/>.</summary>
public sealed record RankReport(string Event, int Rank)
{
    public const string Prefix = "@lightgbm ";
    public const string Built = "built", Iteration = "iteration", Checkpoint = "checkpoint", Done = "done", Error = "error";
    private static readonly JsonSerializerOptions Json = Experiments.ExperimentStore.Json;

    public IterationMetrics? Metrics { get; init; }
    public TestMetrics? Test { get; init; }
    public int BestIteration { get; init; }
    public int Iterations { get; init; }
    public double BestValidMetric { get; init; } = double.NaN;
    public double Seconds { get; init; }
    public string? Message { get; init; }

    public string ToLine() => Prefix + JsonSerializer.Serialize(this, Json);

    /// <summary>The report on a line of a process's output, or null for anything else it printed.</summary>
    public static RankReport? Parse(string line)
    {
        if (!line.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        try { return JsonSerializer.Deserialize<RankReport>(line.AsSpan(Prefix.Length), Json); }
        catch (JsonException) { return null; }
    }
}

/// <summary>
/// One process of a distributed job (<c>--lightgbm-rank</c>): joins the others through <c>LGBM_NetworkInit</c>, builds
/// its shard's dataset (bins are found across processes), trains, and reports on standard output. Every process holds
/// the full validation set and the same model after each iteration, so all stop early at the same iteration; process 0
/// reports the curve. Everything native runs on this one thread: LightGBM keeps the network per thread.
/// </summary>
public static class DistributedRank
{
    public const string Flag = "--lightgbm-rank";

    /// <summary>The process's exit code: 0 when it trained and wrote its model, 1 on an error (reported first), 2 on bad arguments.</summary>
    public static int Run(string[] args)
    {
        var directory = Arg(args, "--job-dir");
        var machines = Arg(args, "--machines");
        if (directory is null || machines is null || !int.TryParse(Arg(args, "--listen-port"), CultureInfo.InvariantCulture, out var port)
            || !int.TryParse(Arg(args, "--rank") ?? Environment.GetEnvironmentVariable("JOB_COMPLETION_INDEX"), CultureInfo.InvariantCulture, out var rank))
        {
            Console.Error.WriteLine($"usage: {Flag} --job-dir DIR --machines host:port,... --listen-port PORT --rank R (or JOB_COMPLETION_INDEX)");
            return 2;
        }
        WatchParent();
        var watch = Stopwatch.StartNew();
        try
        {
            var plan = ShardFiles.ReadPlan(directory);
            var arrays = ShardFiles.Read(directory, plan, rank);
            var resolved = Resolve(machines, TimeSpan.FromMinutes(plan.TimeoutMinutes));
            LightGbmNative.Check(LightGbmNative.LGBM_NetworkInit(resolved, port, plan.TimeoutMinutes, plan.Processes));
            try
            {
                using var split = LightGbmSplit.FromArrays(arrays, plan.MaxBin, plan.DatasetParameters);
                Report(new RankReport(RankReport.Built, rank) { Message = $"{split.TrainRows} training rows" });
                var parameters = plan.ToTrainingParameters();
                // Continuing a job whose runner died: every process scores its own rows with the checkpoint's trees.
                using var run = new LightGbmRun(split, parameters, plan.Task, plan.PrimaryMetric, plan.TrainMetricEvery, ShardFiles.ReadCheckpoint(Path.Combine(directory, ShardFiles.ResumeFile)));
                // Process 0 reports the curve and saves the checkpoints: every process holds the same model.
                var checkpoints = rank == 0 && plan.CheckpointSeconds > 0
                    ? new ModelCheckpoints(TimeSpan.FromSeconds(plan.CheckpointSeconds), checkpoint =>
                    {
                        ShardFiles.WriteCheckpoint(Path.Combine(directory, ShardFiles.CheckpointFile), checkpoint);
                        Report(new RankReport(RankReport.Checkpoint, rank) { Iterations = checkpoint.Iteration });
                    })
                    : null;
                run.Advance(parameters.Iterations, rank == 0 ? m => Report(new RankReport(RankReport.Iteration, rank) { Metrics = m }) : null, CancellationToken.None, checkpoints);
                // Process 0 scores the test rows; the others only keep their model (the same one) for comparison.
                var outcome = rank == 0 ? run.Outcome() : null;
                File.WriteAllText(Path.Combine(directory, ShardFiles.ModelFile(rank)), outcome?.ModelText ?? run.BestModel());
                Report(new RankReport(RankReport.Done, rank)
                {
                    Test = outcome?.Test, BestIteration = run.KeptIteration, Iterations = run.Iteration,
                    BestValidMetric = run.BestValidMetric, Seconds = watch.Elapsed.TotalSeconds,
                });
                return 0;
            }
            finally { LightGbmNative.LGBM_NetworkFree(); }
        }
        catch (Exception ex)
        {
            Report(new RankReport(RankReport.Error, rank) { Message = ex.Message, Seconds = watch.Elapsed.TotalSeconds });
            return 1;
        }
    }

    private static void Report(RankReport report)
    {
        Console.Out.WriteLine(report.ToLine());
        Console.Out.Flush();
    }

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>
    /// LightGBM connects to IP addresses and finds its own rank by matching a local address and port, so host names
    /// (a Kubernetes headless Service's pod names) are resolved first, retried while the peers' DNS records appear.
    /// </summary>
    internal static string Resolve(string machines, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        var resolved = new List<string>();
        foreach (var machine in machines.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = machine.LastIndexOf(':');
            if (colon <= 0) throw new ArgumentException($"\"{machine}\" is not host:port.");
            var host = machine[..colon];
            while (!IPAddress.TryParse(host, out _))
            {
                try { host = Dns.GetHostAddresses(host).First(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork).ToString(); }
                catch (Exception ex) when (ex is System.Net.Sockets.SocketException or InvalidOperationException && DateTime.UtcNow < deadline) { Thread.Sleep(1000); }
            }
            resolved.Add($"{host}:{machine[(colon + 1)..]}");
        }
        return string.Join(',', resolved);
    }

    // A local process ends with the runner that started it (no orphan holding a port and cores).
    private static void WatchParent()
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable(TrainingJobs.WorkerHost.ParentProcessVariable), out var parent)) return;
        new Thread(() =>
        {
            while (TrainingJobs.WorkerHost.IsAlive(parent)) Thread.Sleep(1000);
            Environment.Exit(3);
        }) { IsBackground = true, Name = "parent watch" }.Start();
    }
}
