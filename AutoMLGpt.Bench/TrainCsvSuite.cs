using System.Diagnostics;
using System.Globalization;
using System.Text;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Knowledge.Portfolio;
using AutoMLGpt.Core.Training;

namespace AutoMLGpt.Bench;

public static partial class BenchCommands
{
    /// <summary>
    /// "train --csv FILE --label COL": the app's own path on any CSV, timed piece by piece, so the same file can be run
    /// through a peer (XGBoost, LightGBM's CLI) beside it: read, profile, dataset construction, the training loop (time per
    /// iteration, with the app's training-metric policy and with the metric every iteration), test metric, peak memory.
    /// </summary>
    private static object TrainCsv(Dictionary<string, string> o)
    {
        var path = o["csv"];
        var label = o.TryGetValue("label", out var l) ? l : throw new ArgumentException("--csv needs --label COLUMN.");
        var threads = int.Parse(Get(o, "threads", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        var seeds = int.Parse(Get(o, "seeds", "1"), CultureInfo.InvariantCulture);
        var total = Stopwatch.StartNew();
        var sw = Stopwatch.StartNew();
        var table = CsvReader.Read(path);
        var readSeconds = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var profile = DataProfiler.Profile(table, label);
        var card = profile.ToDataCard(Path.GetFileNameWithoutExtension(path));
        var profileSeconds = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"{path}: {table.Rows.Count:N0} rows, {table.Columns.Count} columns; read {readSeconds:0.0} s, profiled {profileSeconds:0.0} s ({TaskDefaults.Display(card.Task)}, {card.PrimaryMetric})");

        using var eval = Evaluation.Create(o);
        var runs = new List<object>();
        for (var seed = 0; seed < seeds; seed++)
        {
            sw.Restart();
            var data = TabularData.Build(table, card, seed: 42 + seed);
            var buildSeconds = sw.Elapsed.TotalSeconds;
            var choice = eval.Portfolio.ChooseZeroShot(card, trainRows: data.Split.Train.Length);
            var parameters = WithSetOverrides(o, choice.Parameters(card.Task, data.Classes.Length, threads));
            // The app trains ML.NET's FastTree on the same split after LightGBM, as the baseline: its share of a job.
            double? baselineSeconds = null, baselineTest = null;
            if (Get(o, "baseline", "true") == "true")
            {
                var baseline = MlNetBaseline.Train(data, card);
                (baselineSeconds, baselineTest) = (baseline.Elapsed.TotalSeconds, baseline.Test.Get(card.PrimaryMetric));
                Console.WriteLine($"seed {seed}: baseline {baseline.Trainer} {baselineSeconds:0.0} s, test {card.PrimaryMetric} {baselineTest:0.####}");
            }
            sw.Restart();
            using var split = LightGbmSplit.Create(data, parameters.LightGbm.GetValueOrDefault("max_bin", "255"));
            var datasetSeconds = sw.Elapsed.TotalSeconds;
            var policy = LightGbmTrainer.TrainMetricEvery(data.Split.Train.Length);
            foreach (var every in new[] { policy, 1 }.Distinct())
            {
                sw.Restart();
                var outcome = LightGbmTrainer.Train(split, parameters, card.Task, card.PrimaryMetric, null, trainMetricEvery: every, saveModel: false, cancellationToken: CancellationToken.None);
                var loopSeconds = sw.Elapsed.TotalSeconds;
                var msPerIteration = loopSeconds * 1000 / Math.Max(1, outcome.Iterations);
                var test = outcome.Test.Get(card.PrimaryMetric);
                var peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;
                Console.WriteLine($"seed {seed}, training metric every {every,2} iteration(s): {outcome.Iterations} iterations (best {outcome.BestIteration}), " +
                                  $"{msPerIteration:0.0} ms/iteration, loop {loopSeconds:0.0} s, dataset construction {datasetSeconds:0.0} s, split {buildSeconds:0.0} s, " +
                                  $"test {card.PrimaryMetric} {test:0.####}, peak memory {peakMb:N0} MB [{choice.Candidate.Id}; num_leaves {parameters.LightGbm.GetValueOrDefault("num_leaves", "31")}, max_depth {parameters.LightGbm.GetValueOrDefault("max_depth", "-1")}]");
                runs.Add(new
                {
                    BaselineSeconds = baselineSeconds, BaselineTest = baselineTest,
                    Seed = seed, TrainMetricEvery = every, AppPolicy = every == policy, outcome.Iterations, outcome.BestIteration, MsPerIteration = msPerIteration,
                    LoopSeconds = loopSeconds, DatasetConstructionSeconds = datasetSeconds, SplitSeconds = buildSeconds, Metric = card.PrimaryMetric, Test = test,
                    PeakMegabytes = peakMb, Candidate = choice.Candidate.Id, NumLeaves = parameters.LightGbm.GetValueOrDefault("num_leaves", "31"),
                    MaxDepth = parameters.LightGbm.GetValueOrDefault("max_depth", "-1"), Threads = threads,
                });
            }
        }
        return new
        {
            Csv = Path.GetFileName(path), Label = label, Rows = table.Rows.Count, Columns = table.Columns.Count, ReadSeconds = readSeconds, ProfileSeconds = profileSeconds,
            card.PrimaryMetric, Runs = runs, TotalSeconds = total.Elapsed.TotalSeconds, PeakMegabytes = Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0,
        };
    }

    /// <summary>
    /// <c>--set num_leaves=63,max_depth=6</c>: LightGBM values over the recommended ones, e.g. trees of a given size to
    /// time against a peer's (XGBoost's depth 6).
    /// </summary>
    private static TrainingParameters WithSetOverrides(Dictionary<string, string> o, TrainingParameters parameters)
    {
        if (!o.TryGetValue("set", out var set)) return parameters;
        var values = new Dictionary<string, string>(parameters.LightGbm);
        foreach (var pair in set.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            values[pair.Split('=')[0]] = pair.Split('=')[1];
        return parameters with { LightGbm = values };
    }

    /// <summary>
    /// "synthetic-table --rows N --out FILE": a reproducible binary-classification table (8 numeric and 2 categorical
    /// features, a non-linear label with 10% noise) for timing training at sizes no shared dataset has.
    /// </summary>
    private static object SyntheticTable(Dictionary<string, string> o)
    {
        var rows = int.Parse(Get(o, "rows", "1000000"), CultureInfo.InvariantCulture);
        var output = o.TryGetValue("out", out var f) ? f : throw new ArgumentException("synthetic-table needs --out FILE.");
        var random = new Random(int.Parse(Get(o, "seed", "7"), CultureInfo.InvariantCulture));
        string[] cities = ["north", "south", "east", "west", "centre"], plans = ["basic", "plus", "pro"];
        using var writer = new StreamWriter(output, false, new UTF8Encoding(false), 1 << 20);
        writer.WriteLine("x1,x2,x3,x4,x5,x6,x7,x8,city,plan,label");
        var x = new double[8];
        for (var r = 0; r < rows; r++)
        {
            for (var i = 0; i < 8; i++) x[i] = random.NextDouble() * 2 - 1;
            var city = random.Next(cities.Length);
            var plan = random.Next(plans.Length);
            var score = 1.5 * x[0] - x[1] * x[2] + Math.Sin(3 * x[3]) + 0.5 * x[4] * x[4] + (city == 2 ? 0.6 : 0) - 0.4 * plan + 0.3 * x[5];
            var y = score + (random.NextDouble() < 0.1 ? random.NextDouble() * 4 - 2 : 0) > 0.2 ? 1 : 0;
            writer.Write(string.Join(',', x.Select(v => v.ToString("0.#####", CultureInfo.InvariantCulture))));
            writer.Write(',');
            writer.Write(cities[city]);
            writer.Write(',');
            writer.Write(plans[plan]);
            writer.Write(',');
            writer.WriteLine(y);
        }
        writer.Flush();
        var bytes = new FileInfo(output).Length;
        Console.WriteLine($"wrote {rows:N0} rows ({bytes / 1048576.0:0.0} MB) to {output}");
        return new { Rows = rows, Bytes = bytes, File = output };
    }
}
