using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using AutoMLGpt.Core.Knowledge;
using AutoMLGpt.Core.Knowledge.Portfolio;

namespace AutoMLGpt.Bench;

public static partial class BenchCommands
{
    /// <summary>Evaluates every portfolio candidate on every dataset folder over seeded splits; writes the embedded matrix.</summary>
    private static object MatrixCommand(Dictionary<string, string> o)
    {
        var datasets = Get(o, "datasets", "../shared/datasets");
        var output = Get(o, "out", "AutoMLGpt.Core/Knowledge/Embedded/" + ResultsMatrix.ResourceName);
        var seeds = Enumerable.Range(0, int.Parse(Get(o, "seeds", "3"), CultureInfo.InvariantCulture)).ToArray();
        var total = int.Parse(Get(o, "candidates", "80"), CultureInfo.InvariantCulture);
        var parallel = int.Parse(Get(o, "parallel", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        var candidates = CandidateSpace.Build(KnowledgeBase.LoadEmbeddedPack(), total);
        var folders = DatasetFolders(o);
        // Largest first, so the last jobs to finish are short ones.
        var ordered = folders.OrderByDescending(f => new FileInfo(Path.Combine(f, "data.csv")).Length).ToList();
        Console.WriteLine($"{candidates.Count} candidates × {folders.Count} datasets × {seeds.Length} splits, {parallel} at a time, 1 thread each");
        var watch = Stopwatch.StartNew();
        var results = new ConcurrentDictionary<string, MatrixDataset>();
        // NoBuffering: one dataset at a time per worker (a list is otherwise range-partitioned, big ones all to one worker).
        Parallel.ForEach(Partitioner.Create(ordered, EnumerablePartitionerOptions.NoBuffering), new ParallelOptions { MaxDegreeOfParallelism = parallel }, folder =>
        {
            var sw = Stopwatch.StartNew();
            var row = ResultsMatrixBuilder.Evaluate(folder, candidates, seeds, line => Console.WriteLine($"[{watch.Elapsed:hh\\:mm\\:ss}] {line} ({sw.Elapsed.TotalSeconds:0} s wall)"));
            results[folder] = row;
        });
        var command = $"dotnet run -c Release --project AutoMLGpt.Bench -- matrix --datasets {datasets} --seeds {seeds.Length} --candidates {total} --out {output}";
        var matrix = new ResultsMatrix(1, command, ResultsMatrixBuilder.Protocol, seeds, candidates, folders.Select(f => results[f]).ToList(), Math.Round(watch.Elapsed.TotalMinutes, 1));
        matrix.Save(output);
        Console.WriteLine($"{matrix.Datasets.Count} datasets × {candidates.Count} candidates × {seeds.Length} splits in {watch.Elapsed.TotalMinutes:0.0} min -> {output} ({new FileInfo(output).Length / 1024} KiB)");
        return new { matrix.Minutes, Datasets = matrix.Datasets.Count, Candidates = candidates.Count, Seeds = seeds.Length };
    }
}
