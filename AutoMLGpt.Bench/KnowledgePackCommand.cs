using System.Diagnostics;
using System.Text.Json;
using AutoMLGpt.Core.Knowledge;

namespace AutoMLGpt.Bench;

public static partial class BenchCommands
{
    public static readonly JsonSerializerOptions PackJson = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    /// <summary>Regenerates the knowledge pack by training on every dataset folder (cards and results only are written).</summary>
    private static async Task<object> KnowledgePackAsync(Dictionary<string, string> o)
    {
        var datasets = Get(o, "datasets", "../shared/datasets");
        var output = Get(o, "out", "AutoMLGpt.Core/Knowledge/Embedded/knowledge-pack.json");
        var trials = int.Parse(Get(o, "trials", "20"));
        var threads = int.Parse(Get(o, "threads", Environment.ProcessorCount.ToString()));
        var watch = Stopwatch.StartNew();
        var folders = Directory.GetDirectories(datasets).Where(d => File.Exists(Path.Combine(d, "datacard.json"))).Order().ToList();
        var records = new List<ExperienceRecord>();
        foreach (var folder in folders)
        {
            try { records.Add(KnowledgePackBuilder.BuildRecord(folder, trials, seed: 42, threads, Console.WriteLine)); }
            catch (Exception ex) when (ex is IOException or InvalidDataException or AutoMLGpt.Core.Training.TrainingDataException or AutoMLGpt.Core.Training.CsvFormatException)
            {
                Console.Error.WriteLine($"{Path.GetFileName(folder)}: skipped ({ex.Message})");
            }
        }
        var command = $"dotnet run -c Release --project AutoMLGpt.Bench -- knowledge-pack --datasets {datasets} --out {output} --trials {trials}";
        var pack = new KnowledgePack(1, command, KnowledgePackBuilder.SearchSpace, trials, records);
        await File.WriteAllTextAsync(output, JsonSerializer.Serialize(pack, PackJson));
        Console.WriteLine($"{records.Count} datasets, {trials} trials each, in {watch.Elapsed.TotalMinutes:0.0} min -> {output}");
        return pack;
    }
}
