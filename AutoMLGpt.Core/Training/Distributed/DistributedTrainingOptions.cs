namespace AutoMLGpt.Core.Training.Distributed;

/// <summary>
/// One training job on several processes (<c>Training:Distributed</c>): LightGBM's own data-parallel or voting-parallel
/// learner, joined through <c>LGBM_NetworkInit</c>. Off by default (<see cref="Processes"/> = 1).
/// </summary>
public sealed class DistributedTrainingOptions
{
    /// <summary>Processes per distributed job; 1 trains in the runner itself, as before.</summary>
    public int Processes { get; set; } = 1;

    /// <summary>Tables with fewer training rows train in one process: below this, the network costs more than it saves.</summary>
    public int MinTrainRows { get; set; } = 200_000;

    /// <summary><c>data</c> (histograms are summed across processes) or <c>voting</c> (only the top-k features' histograms travel).
    /// LightGBM's C API refuses feature-parallel, so it is not offered.</summary>
    public string TreeLearner { get; set; } = "data";

    /// <summary>With the voting learner, how many features each process nominates per split (LightGBM's <c>top_k</c>).</summary>
    public int TopK { get; set; } = 20;

    /// <summary><c>Local</c>: processes on this machine, listening on fresh ports of 127.0.0.1. <c>Kubernetes</c>: an Indexed Job and a headless Service.</summary>
    public string Launcher { get; set; } = "Local";

    /// <summary>
    /// A job fails, and every process is stopped, when no process has reported for this long or when one of them ends
    /// early; LightGBM's socket time-out (in whole minutes) is set from it too.
    /// </summary>
    public double TimeoutSeconds { get; set; } = 120;

    /// <summary>Threads per process; 0 shares <c>Training:Threads</c> among local processes (one each at least).</summary>
    public int ThreadsPerProcess { get; set; }

    /// <summary>The assembly local processes run with <c>--lightgbm-rank</c> (<c>AutoMLGpt.Web.dll</c> or <c>AutoMLGpt.Worker.dll</c>); default: the running app's.</summary>
    public string? RankAssembly { get; set; }

    public KubernetesLaunchOptions Kubernetes { get; set; } = new();

    public bool Enabled => Processes > 1;
    public bool OnKubernetes => string.Equals(Launcher, "Kubernetes", StringComparison.OrdinalIgnoreCase);
    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);

    public IEnumerable<string> Problems()
    {
        const string at = "Training:Distributed:";
        if (Processes is < 1 or > 256) yield return $"{at}Processes must be between 1 and 256.";
        if (MinTrainRows < 0) yield return $"{at}MinTrainRows must be 0 or more.";
        if (string.Equals(TreeLearner, "feature", StringComparison.OrdinalIgnoreCase))
            yield return $"{at}TreeLearner \"feature\" is refused by LightGBM's C API (\"Do not support feature parallel in c api\"); use data or voting.";
        else if (!string.Equals(TreeLearner, "data", StringComparison.OrdinalIgnoreCase) && !string.Equals(TreeLearner, "voting", StringComparison.OrdinalIgnoreCase))
            yield return $"{at}TreeLearner is \"{TreeLearner}\"; use data or voting.";
        if (TopK is < 1 or > 10_000) yield return $"{at}TopK must be between 1 and 10000.";
        if (!OnKubernetes && !string.Equals(Launcher, "Local", StringComparison.OrdinalIgnoreCase))
            yield return $"{at}Launcher is \"{Launcher}\"; use Local or Kubernetes.";
        if (TimeoutSeconds is < 5 or > 86_400) yield return $"{at}TimeoutSeconds must be between 5 and 86400.";
        if (ThreadsPerProcess < 0) yield return $"{at}ThreadsPerProcess must be 0 (share Training:Threads) or more.";
        if (RankAssembly is { Length: > 0 } assembly && !File.Exists(assembly)) yield return $"{at}RankAssembly \"{assembly}\" does not exist.";
        if (Enabled && OnKubernetes)
            foreach (var problem in Kubernetes.Problems()) yield return problem;
    }
}

/// <summary>Where and how a distributed job's processes run on Kubernetes (<c>Training:Distributed:Kubernetes</c>).</summary>
public sealed class KubernetesLaunchOptions
{
    public string Namespace { get; set; } = "default";
    /// <summary>An image with the app (or <c>AutoMLGpt.Worker</c>) published, started with <c>--lightgbm-rank</c>.</summary>
    public string Image { get; set; } = "";
    /// <summary>The command that starts the app in <see cref="Image"/>.</summary>
    public string[] Command { get; set; } = ["dotnet", "/app/AutoMLGpt.Worker.dll"];
    /// <summary>A ReadWriteMany PersistentVolumeClaim holding the data folder (the coordinator writes the shards there).</summary>
    public string DataVolumeClaim { get; set; } = "";
    /// <summary>Where the claim is mounted in the pods.</summary>
    public string DataMountPath { get; set; } = "/data";
    /// <summary>The port each pod listens on for its peers (one pod per address, so the same port everywhere).</summary>
    public int Port { get; set; } = 12400;
    public string CpuPerProcess { get; set; } = "2";
    public string MemoryPerProcess { get; set; } = "4Gi";

    public IEnumerable<string> Problems()
    {
        const string at = "Training:Distributed:Kubernetes:";
        if (string.IsNullOrWhiteSpace(Image)) yield return $"{at}Image is required with the Kubernetes launcher.";
        if (string.IsNullOrWhiteSpace(DataVolumeClaim)) yield return $"{at}DataVolumeClaim is required: the pods read their shards from the data folder.";
        if (Command.Length == 0) yield return $"{at}Command is required.";
        if (Port is < 1024 or > 65_535) yield return $"{at}Port must be between 1024 and 65535.";
        if (string.IsNullOrWhiteSpace(Namespace)) yield return $"{at}Namespace is required.";
    }
}
