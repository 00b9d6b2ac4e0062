using System.Text.Json;
using AutoMLGpt.Core.Knowledge.Encoders;

namespace AutoMLGpt.Bench;

/// <summary>The benchmark app's commands: each prints what it measured and, with --out, writes it as JSON.</summary>
public static partial class BenchCommands
{
    private const string Usage = """
        usage: dotnet run -c Release --project AutoMLGpt.Bench -- <command> [options]
          distill        --model DIR (default ../shared/models/use-lite-en) --out DIR (default AutoMLGpt.Core/Knowledge/Embedded) [--limit N]
          knowledge-pack --datasets DIR --out FILE [--trials N]
          matrix         --datasets DIR [--seeds N] [--candidates N] [--parallel N] [--only a,b] [--out FILE]
          recommend      --datasets DIR [--seeds N] [--trials N] [--k N] [--race halving|full] [--only a,b] [--threads N] [--matrix FILE] [--retrain] [--out FILE]
          predict-log    --datasets DIR [--seeds N] [--only a,b] [--threads N] [--matrix FILE] [--retrain] [--out FILE]
          encoder        [--models DIR] [--out FILE]
          encoder-transfer --datasets DIR [--models DIR] [--out FILE]
          search         [--out FILE]
          pipeline       [--out FILE]
          train          --datasets DIR [--k N] [--matrix FILE] [--out FILE]
          train          --csv FILE --label COLUMN [--seeds N] [--threads N] [--set k=v,k=v] [--baseline true|false] [--out FILE]   (any CSV: time per iteration, memory, test metric, the FastTree baseline's time)
          synthetic-table --rows N --out FILE [--seed N]
          jobs-per-worker --datasets DIR [--only a,b] [--seeds N] [--out FILE]   (a worker's jobs per minute: one at a time with all cores, or one per core)
          intake-memory  --datasets DIR [--only a,b] [--megabytes N] [--runs N] [--out FILE]   (web-process peak memory while an upload of N MB, default 200, is saved and profiled)
          distributed    --csv FILE --label COLUMN [--processes 1,2] [--seeds N] [--threads N] [--tree-learner data|voting] [--set k=v] [--out FILE]
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help") { Console.WriteLine(Usage); return args.Length == 0 ? 1 : 0; }
        var options = Options(args.Skip(1).ToArray());
        try
        {
            object result = args[0] switch
            {
                "distill" => Distill(options),
                "knowledge-pack" => await KnowledgePackAsync(options),
                "matrix" => MatrixCommand(options),
                "recommend" => await RecommendAsync(options),
                "predict-log" => await PredictLogAsync(options),
                "encoder" => EncoderSuite(options),
                "encoder-transfer" => EncoderTransferSuite(options),
                "search" => SearchSuite(options),
                "pipeline" => await PipelineSuiteAsync(options),
                "train" => options.ContainsKey("csv") ? TrainCsv(options) : TrainSuite(options),
                "synthetic-table" => SyntheticTable(options),
                "distributed" => await DistributedSuiteAsync(options),
                "jobs-per-worker" => JobsPerWorkerSuite(options),
                "intake-memory" => await IntakeMemorySuiteAsync(options),
                _ => throw new ArgumentException($"Unknown command \"{args[0]}\".\n{Usage}"),
            };
            if (options.TryGetValue("out", out var output) && args[0] is not ("distill" or "knowledge-pack" or "matrix" or "synthetic-table"))
            {
                await File.WriteAllTextAsync(output, JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
                Console.WriteLine($"wrote {output}");
            }
            return 0;
        }
        catch (Exception ex) when (ex is ArgumentException or IOException)
        {
            Console.Error.WriteLine(ex.Message);
            return 2;
        }
    }

    private static Dictionary<string, string> Options(string[] args)
    {
        var options = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"Unexpected argument \"{args[i]}\".");
            options[args[i][2..]] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
        }
        return options;
    }

    private static string Get(Dictionary<string, string> o, string key, string fallback) => o.TryGetValue(key, out var v) ? v : fallback;

    private static object Distill(Dictionary<string, string> o)
    {
        var model = Get(o, "model", "../shared/models/use-lite-en");
        var output = Get(o, "out", "AutoMLGpt.Core/Knowledge/Embedded");
        int? limit = o.TryGetValue("limit", out var l) ? int.Parse(l) : null;
        var result = StaticTableDistiller.Distill(model, output, limit: limit);
        var command = $"dotnet run -c Release --project AutoMLGpt.Bench -- distill --model {model} --out {output}" + (limit is null ? "" : $" --limit {limit}");
        File.WriteAllText(Path.Combine(output, "PROVENANCE.md"), StaticTableDistiller.Provenance(result, command));
        StaticTableDistiller.CopyWritable(Path.Combine(model, "LICENSE"), Path.Combine(output, "LICENSE"));
        Console.WriteLine($"distilled {result.DistilledRows} of {result.Rows} pieces into {output} in {result.Elapsed.TotalSeconds:0.0} s");
        foreach (var (file, sum) in result.Sha256) Console.WriteLine($"  {file}  {sum}");
        return result;
    }
}
