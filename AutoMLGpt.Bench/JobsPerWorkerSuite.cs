using System.Diagnostics;
using System.Globalization;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Training;

namespace AutoMLGpt.Bench;

public static partial class BenchCommands
{
    /// <summary>
    /// "jobs-per-worker --datasets DIR": a worker's capacity. The same set of jobs (each dataset of the folder, the app's
    /// recommended LightGBM configuration, then the FastTree baseline, as a job trains them after reading the CSV) run
    /// one at a time with every core, and as many at a time as there are cores with one thread each
    /// (<c>Training:MaxConcurrentJobs</c> = cores, <c>Training:Threads</c> = 1). Reports jobs per minute for both, per seed.
    /// </summary>
    private static object JobsPerWorkerSuite(Dictionary<string, string> o)
    {
        var cores = Environment.ProcessorCount;
        var seeds = int.Parse(Get(o, "seeds", "2"), CultureInfo.InvariantCulture);
        using var eval = Evaluation.Create(o);
        var jobs = DatasetFolders(o).Select(folder =>
        {
            var card = DatasetCardFile.Load(Path.Combine(folder, "datacard.json")).Card;
            return (Name: Path.GetFileName(folder), Card: card, Table: CsvReader.Read(Path.Combine(folder, "data.csv")));
        }).Where(j => j.Card.Modality == DataModality.Tabular && (j.Card.IsClassification || j.Card.Task == MlTask.Regression)).ToList();

        double Job((string Name, DataCard Card, CsvTable Table) job, int seed, int threads)
        {
            var watch = Stopwatch.StartNew();
            var data = TabularData.Build(job.Table, job.Card, seed: 42 + seed);
            var parameters = eval.Portfolio.ChooseZeroShot(job.Card, trainRows: data.Split.Train.Length).Parameters(job.Card.Task, data.Classes.Length, threads);
            LightGbmTrainer.Train(data, parameters, job.Card, _ => { }, CancellationToken.None);
            MlNetBaseline.Train(data, job.Card, 42 + seed);
            return watch.Elapsed.TotalSeconds;
        }

        var runs = new List<object>();
        for (var seed = 0; seed < seeds; seed++)
        {
            var one = Stopwatch.StartNew();
            var sequential = jobs.Select(j => Job(j, seed, cores)).ToList();
            var oneSeconds = one.Elapsed.TotalSeconds;
            var many = Stopwatch.StartNew();
            var parallel = new double[jobs.Count];
            Parallel.For(0, jobs.Count, new ParallelOptions { MaxDegreeOfParallelism = cores }, i => parallel[i] = Job(jobs[i], seed, 1));
            var manySeconds = many.Elapsed.TotalSeconds;
            Console.WriteLine($"seed {seed}: {jobs.Count} jobs; one at a time with {cores} threads: {oneSeconds:0.0} s ({60 * jobs.Count / oneSeconds:0.0} jobs/min, median job {Median(sequential):0.00} s); " +
                              $"{cores} at a time with 1 thread: {manySeconds:0.0} s ({60 * jobs.Count / manySeconds:0.0} jobs/min, median job {Median([.. parallel]):0.00} s)");
            runs.Add(new
            {
                Seed = seed, Jobs = jobs.Count, Cores = cores, SequentialSeconds = oneSeconds, SequentialJobsPerMinute = 60 * jobs.Count / oneSeconds,
                ConcurrentSeconds = manySeconds, ConcurrentJobsPerMinute = 60 * jobs.Count / manySeconds, MedianSequentialJobSeconds = Median(sequential),
                MedianConcurrentJobSeconds = Median([.. parallel]), Datasets = jobs.Select(j => j.Name).ToList(),
            });
        }
        return new { Runs = runs };
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
