using System.Runtime.InteropServices;
using System.Text.Json;
using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.Training.Distributed;

/// <summary>What every process of a distributed job trains: the same booster settings on its own shard of rows.</summary>
public sealed record DistributedPlan(
    int Processes, IReadOnlyDictionary<string, string> Parameters, int Iterations, int EarlyStoppingRounds, MlTask Task, string PrimaryMetric,
    int Classes, int Columns, int[] CategoricalFeatures, string MaxBin, int TrainMetricEvery, int TimeoutMinutes)
{
    /// <summary>Process 0 saves the model so far this often (0: never), so a job whose runner dies continues from it.</summary>
    public double CheckpointSeconds { get; init; }

    public TrainingParameters ToTrainingParameters() => new(Parameters, Iterations, EarlyStoppingRounds, []);

    /// <summary>What each process's datasets need on top of the usual: LightGBM then finds each feature's bins on one process and shares them.</summary>
    public string DatasetParameters => $"num_machines={Processes} pre_partition=true tree_learner={Parameters["tree_learner"]}";
}

/// <summary>
/// A distributed job's folder: <c>plan.json</c>, one binary file of training rows per process, and the validation and
/// test rows every process reads in full (so each computes the global validation curve, and process 0 reports it).
/// The folder is on the data volume the processes share; the coordinator deletes it when the job ends.
/// </summary>
public static class ShardFiles
{
    private static readonly JsonSerializerOptions Json = Experiments.ExperimentStore.Json; // as the job row stores checkpoints (NaN allowed)

    public static string TrainShard(int rank) => $"train-{rank}.bin";
    public static string ModelFile(int rank) => $"model-{rank}.txt";
    public const string CheckpointFile = "checkpoint.json", ResumeFile = "resume.json";

    /// <summary>Writes a checkpoint whole or not at all (a reader never sees half a file): a temporary file, then a rename.</summary>
    public static void WriteCheckpoint(string path, TrainingCheckpoint checkpoint)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(checkpoint, Json));
        File.Move(temporary, path, overwrite: true);
    }

    public static TrainingCheckpoint? ReadCheckpoint(string path) =>
        File.Exists(path) ? JsonSerializer.Deserialize<TrainingCheckpoint>(File.ReadAllText(path), Json) : null;

    /// <summary>Writes the plan and the shards: contiguous blocks of the (already shuffled) training rows, one per process.</summary>
    public static void Write(string directory, DistributedPlan plan, TabularData data)
    {
        Directory.CreateDirectory(directory);
        var train = data.Split.Train;
        for (var rank = 0; rank < plan.Processes; rank++)
        {
            var (start, end) = Block(train.Length, plan.Processes, rank);
            WriteRows(Path.Combine(directory, TrainShard(rank)), data, train[start..end]);
        }
        WriteRows(Path.Combine(directory, "valid.bin"), data, data.Split.Valid);
        WriteRows(Path.Combine(directory, "test.bin"), data, data.Split.Test);
        File.WriteAllText(Path.Combine(directory, "plan.json"), JsonSerializer.Serialize(plan, Json)); // last: its presence means the shards are complete
    }

    /// <summary>Rows [start, end) of process <paramref name="rank"/>'s block: sizes differ by one at most.</summary>
    public static (int Start, int End) Block(int rows, int processes, int rank) =>
        ((int)((long)rows * rank / processes), (int)((long)rows * (rank + 1) / processes));

    public static DistributedPlan ReadPlan(string directory) =>
        JsonSerializer.Deserialize<DistributedPlan>(File.ReadAllText(Path.Combine(directory, "plan.json")), Json)
        ?? throw new InvalidDataException($"{directory}/plan.json is empty.");

    /// <summary>Process <paramref name="rank"/>'s training shard with the full validation and test rows.</summary>
    public static SplitArrays Read(string directory, DistributedPlan plan, int rank)
    {
        var (xTrain, yTrain) = ReadRows(Path.Combine(directory, TrainShard(rank)), plan.Columns);
        var (xValid, yValid) = ReadRows(Path.Combine(directory, "valid.bin"), plan.Columns);
        var (xTest, yTest) = ReadRows(Path.Combine(directory, "test.bin"), plan.Columns);
        return new SplitArrays(xTrain, yTrain, xValid, yValid, xTest, yTest, plan.Columns, plan.Classes, plan.Task, plan.CategoricalFeatures);
    }

    // rows (int32), columns (int32), features (float32, row-major), labels (float32); little-endian as the machine writes it.
    private static void WriteRows(string path, TabularData data, int[] rows)
    {
        var (x, y) = data.Take(rows);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        using var writer = new BinaryWriter(stream);
        writer.Write(rows.Length);
        writer.Write(data.Columns);
        writer.Write(MemoryMarshal.AsBytes(x.AsSpan()));
        writer.Write(MemoryMarshal.AsBytes(y.AsSpan()));
    }

    private static (float[] X, float[] Y) ReadRows(string path, int columns)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        var rows = reader.ReadInt32();
        var fileColumns = reader.ReadInt32();
        if (fileColumns != columns || rows < 0 || stream.Length != 8 + 4L * rows * (columns + 1))
            throw new InvalidDataException($"{Path.GetFileName(path)} does not hold {columns}-column rows (truncated or from another job).");
        var x = new float[rows * columns];
        var y = new float[rows];
        stream.ReadExactly(MemoryMarshal.AsBytes(x.AsSpan()));
        stream.ReadExactly(MemoryMarshal.AsBytes(y.AsSpan()));
        return (x, y);
    }
}
