using System.Diagnostics;
using System.Globalization;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Training;
using AutoMLGpt.Core.Training.Distributed;

namespace AutoMLGpt.Bench;

public static partial class BenchCommands
{
    /// <summary>
    /// "distributed --csv FILE --label COL [--processes 1,2]": the same configuration trained in one process (the app's
    /// in-process path) and as a LightGBM data-parallel job of N local processes (the app's distributed path, this program
    /// started again per process), per seed: wall time (with process start, shards and dataset construction), time per
    /// iteration between the first and last reported iteration, test metric, and whether every process ended with the
    /// same model.
    /// </summary>
    private static async Task<object> DistributedSuiteAsync(Dictionary<string, string> o)
    {
        var path = o.TryGetValue("csv", out var csv) ? csv : throw new ArgumentException("distributed needs --csv FILE --label COLUMN.");
        var label = o.TryGetValue("label", out var l) ? l : throw new ArgumentException("distributed needs --label COLUMN.");
        var threads = int.Parse(Get(o, "threads", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        var seeds = int.Parse(Get(o, "seeds", "2"), CultureInfo.InvariantCulture);
        var counts = Get(o, "processes", "1,2").Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
        var learner = Get(o, "tree-learner", "data");
        var table = CsvReader.Read(path);
        var card = DataProfiler.Profile(table, label).ToDataCard(Path.GetFileNameWithoutExtension(path));
        using var eval = Evaluation.Create(o);
        var scratch = Directory.CreateTempSubdirectory("automlgpt-distributed-bench-").FullName;
        var runs = new List<object>();
        try
        {
            for (var seed = 0; seed < seeds; seed++)
            {
                var data = TabularData.Build(table, card, seed: 42 + seed);
                var parameters = WithSetOverrides(o, eval.Portfolio.ChooseZeroShot(card, trainRows: data.Split.Train.Length).Parameters(card.Task, data.Classes.Length, threads));
                foreach (var processes in counts)
                {
                    var wall = Stopwatch.StartNew();
                    var stamps = new List<(int Iteration, double Seconds)>();
                    TrainingOutcome outcome;
                    bool? identical = null;
                    if (processes == 1)
                        outcome = LightGbmTrainer.Train(data, parameters, card, m => stamps.Add((m.Iteration, wall.Elapsed.TotalSeconds)), CancellationToken.None);
                    else
                    {
                        var options = new DistributedTrainingOptions { Processes = processes, MinTrainRows = 0, TreeLearner = learner, TimeoutSeconds = 600 };
                        var trainer = new DistributedTrainer(options, new LocalProcessLauncher(options));
                        var result = await trainer.TrainAsync(Guid.NewGuid(), scratch, data, parameters, card, threads,
                            m => stamps.Add((m.Iteration, wall.Elapsed.TotalSeconds)), _ => { }, CancellationToken.None);
                        (outcome, identical) = (result.Outcome, result.ModelsIdentical);
                    }
                    var seconds = wall.Elapsed.TotalSeconds;
                    var msPerIteration = stamps.Count > 1 ? (stamps[^1].Seconds - stamps[0].Seconds) * 1000 / (stamps[^1].Iteration - stamps[0].Iteration) : double.NaN;
                    var test = outcome.Test.Get(card.PrimaryMetric);
                    Console.WriteLine($"seed {seed}, {processes} process(es){(processes > 1 ? $" ({learner}-parallel)" : "")}: {outcome.Iterations} iterations (best {outcome.BestIteration}), " +
                                      $"{msPerIteration:0.0} ms/iteration, wall {seconds:0.0} s (first iteration at {(stamps.Count > 0 ? stamps[0].Seconds : double.NaN):0.0} s), test {card.PrimaryMetric} {test:0.####}" +
                                      (identical is { } same ? $", models identical across processes: {same}" : ""));
                    runs.Add(new
                    {
                        Seed = seed, Processes = processes, TreeLearner = processes > 1 ? learner : "serial", outcome.Iterations, outcome.BestIteration, MsPerIteration = msPerIteration,
                        WallSeconds = seconds, FirstIterationSeconds = stamps.Count > 0 ? stamps[0].Seconds : double.NaN, Metric = card.PrimaryMetric, Test = test,
                        ModelsIdentical = identical, Threads = threads,
                    });
                }
            }
        }
        finally { Directory.Delete(scratch, recursive: true); }
        return new { Csv = Path.GetFileName(path), Label = label, Rows = table.Rows.Count, Columns = table.Columns.Count, Cores = Environment.ProcessorCount, Runs = runs };
    }
}
