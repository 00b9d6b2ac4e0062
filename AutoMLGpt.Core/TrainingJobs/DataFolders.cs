using AutoMLGpt.Core.Training;
using System.Text.RegularExpressions;

namespace AutoMLGpt.Core.TrainingJobs;

/// <summary>Options of real training, section <c>Training</c>.</summary>
public sealed class TrainingOptions
{
    public const string Section = "Training";

    /// <summary>How many training jobs run at once; others wait in the queue.</summary>
    public int MaxConcurrentJobs { get; set; } = 1;

    /// <summary>Largest CSV accepted by upload.</summary>
    public int MaxUploadMegabytes { get; set; } = 200;

    /// <summary>How often a running job's heartbeat and log are written to the database.</summary>
    public double CheckpointSeconds { get; set; } = 2;

    /// <summary>Threads LightGBM may use per job.</summary>
    public int Threads { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// This process trains queued jobs (the single-machine default). False on web nodes when workers
    /// (<c>AutoMLGpt.Worker</c>) on the same database do the training: the node then only queues and follows.
    /// </summary>
    public bool RunJobs { get; set; } = true;

    /// <summary>How often an idle runner looks for queued jobs another process added (its own wake it at once).</summary>
    public double PollSeconds { get; set; } = 2;

    /// <summary>
    /// <c>InProcess</c> (default): this process trains. <c>ChildProcess</c>: the web app starts a worker as its own child
    /// process under a memory limit and trains nothing itself, so a native crash or the limit ends only the child; its
    /// job is failed with the reason and the child restarted.
    /// </summary>
    public string Isolation { get; set; } = "InProcess";

    /// <summary>The child worker's memory limit (<c>prlimit --data</c>), with <see cref="Isolation"/> = ChildProcess.</summary>
    public int ChildMemoryMegabytes { get; set; } = 4096;

    /// <summary>How long the child worker may take to save its job and stop when the app stops, before it is killed.</summary>
    public double ChildStopSeconds { get; set; } = 15;

    public bool InChildProcess => string.Equals(Isolation, "ChildProcess", StringComparison.OrdinalIgnoreCase);

    /// <summary>How often the model so far is saved to the database, so a job whose runner dies loses at most this much.</summary>
    public double ModelCheckpointSeconds { get; set; } = 30;

    /// <summary>One job on several processes (LightGBM data- or voting-parallel); off unless <c>Processes</c> is above 1.</summary>
    public Training.Distributed.DistributedTrainingOptions Distributed { get; set; } = new();

    public long MaxUploadBytes => MaxUploadMegabytes * 1024L * 1024L;

    public IEnumerable<string> Problems()
    {
        if (MaxConcurrentJobs is < 1 or > 64) yield return "Training:MaxConcurrentJobs must be between 1 and 64.";
        if (MaxUploadMegabytes is < 1 or > 4096) yield return "Training:MaxUploadMegabytes must be between 1 and 4096.";
        if (CheckpointSeconds is <= 0 or > 3600) yield return "Training:CheckpointSeconds must be above 0 and at most 3600.";
        if (Threads < 1) yield return "Training:Threads must be at least 1.";
        if (PollSeconds is < 0.1 or > 300) yield return "Training:PollSeconds must be between 0.1 and 300.";
        if (!InChildProcess && !string.Equals(Isolation, "InProcess", StringComparison.OrdinalIgnoreCase))
            yield return $"Training:Isolation is \"{Isolation}\"; use InProcess or ChildProcess.";
        if (ChildMemoryMegabytes is < 128 or > 1_048_576) yield return "Training:ChildMemoryMegabytes must be between 128 and 1048576.";
        if (ChildStopSeconds is < 0 or > 600) yield return "Training:ChildStopSeconds must be between 0 and 600.";
        if (ModelCheckpointSeconds is < 0.1 or > 86_400) yield return "Training:ModelCheckpointSeconds must be between 0.1 and 86400.";
        foreach (var problem in Distributed.Problems()) yield return problem;
    }
}

/// <summary>
/// Where uploaded datasets and trained models live: folders under the app's data directory, with names the app
/// generates. A user-supplied name never becomes a path.
/// </summary>
public sealed partial class DataFolders(string root)
{
    public string Root { get; } = Path.GetFullPath(root);
    public string Uploads => Ensure(Path.Combine(Root, "uploads"));
    public string Models => Ensure(Path.Combine(Root, "models"));

    public static string NewDatasetFile() => $"{Guid.NewGuid():N}.csv";

    public string DatasetPath(string file) => Path.Combine(Uploads, Checked(file, DatasetName()));
    public string ModelPath(string file) => Path.Combine(Models, Checked(file, ModelName()));

    /// <summary>Streams an upload to disk under a generated name, refusing it past <paramref name="maxBytes"/> without keeping a partial file.</summary>
    /// <param name="saved">Told the bytes saved so far after each block.</param>
    public async Task<string> SaveUploadAsync(Stream source, long maxBytes, CancellationToken cancellationToken, Action<long>? saved = null)
    {
        var file = NewDatasetFile();
        var path = DatasetPath(file);
        try
        {
            await using var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
            var buffer = new byte[81920];
            long total = 0;
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                total += read;
                if (total > maxBytes) throw new IOException($"The file is larger than the limit of {maxBytes / 1048576.0:0.#} MB (Training:MaxUploadMegabytes).");
                await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                saved?.Invoke(total);
            }
        }
        catch
        {
            File.Delete(path);
            throw;
        }
        return file;
    }

    private static string Checked(string file, Regex pattern) =>
        pattern.IsMatch(file) ? file : throw new ArgumentException($"\"{file}\" is not a file name this app generated.");

    private static string Ensure(string dir) { Directory.CreateDirectory(dir); return dir; }

    [GeneratedRegex("^[0-9a-f]{32}\\.csv$")] private static partial Regex DatasetName();
    [GeneratedRegex("^[0-9a-f]{32}\\.txt$")] private static partial Regex ModelName();
}
