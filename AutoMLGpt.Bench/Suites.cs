using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Engines.Offline;
using AutoMLGpt.Core.Knowledge;
using AutoMLGpt.Core.Knowledge.Encoders;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.Training;
using Microsoft.Extensions.Logging.Abstractions;

namespace AutoMLGpt.Bench;

public static partial class BenchCommands
{
    private static string F(double v, string format = "0.0000") => v.ToString(format, CultureInfo.InvariantCulture);
    private static int Threads(Dictionary<string, string> o) => int.Parse(Get(o, "threads", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)));

    private static List<string> DatasetFolders(Dictionary<string, string> o)
    {
        var root = Get(o, "datasets", "../shared/datasets");
        var folders = Directory.GetDirectories(root).Where(d => File.Exists(Path.Combine(d, "datacard.json"))).Order().ToList();
        if (o.TryGetValue("only", out var only)) folders = folders.Where(f => only.Split(',').Contains(Path.GetFileName(f))).ToList();
        if (folders.Count == 0) throw new ArgumentException($"No dataset folders (data.csv + datacard.json) under {root}.");
        return folders;
    }

    private static KnowledgeBase Knowledge(TextEncoder encoder, IEnumerable<ExperienceRecord> records, double textWeight) =>
        new(encoder, new KnowledgeOptions { TextWeight = textWeight }, NullLogger<KnowledgeBase>.Instance, records);

    /// <summary>The LightGBM configuration the app recommends for a card, from a knowledge base (as stage C would).</summary>
    private static Dictionary<string, string> RecommendedConfig(DataCard card, KnowledgeBase kb)
    {
        var cards = new ExperimentCards(card, ModelCatalogue.LightGbm.TemplateCard(), new ExperimentRequest { Resources = "CPU only, 2 cores" });
        var advice = HyperparameterAdvisor.Advise(cards, knowledge: kb);
        var keys = new[] { "learning_rate", "num_leaves", "min_data_in_leaf", "feature_fraction", "bagging_fraction", "lambda_l2", "num_iterations" };
        return keys.Where(k => advice.Recipe[k] is not null).ToDictionary(k => k, k => advice.Recipe[k]!.Display);
    }

    private sealed record RecommendRow(string Dataset, string Metric, bool HigherIsBetter, double Defaults, double RandomMean, double SearchBest,
        double Blend, double TextOnly, double MetaOnly, double RecommendMs, double SearchSeconds, double RecommendTrainSeconds)
    {
        public double Normalised(double v) => HigherIsBetter ? v / SearchBest : SearchBest / v;
        public bool Beats(double a, double b) => HigherIsBetter ? a > b : a < b;
    }

    /// <summary>Leave-one-dataset-out: recommend from the other datasets, train, score; against defaults, random search and its best.</summary>
    private static Task<object> RecommendAsync(Dictionary<string, string> o)
    {
        var trials = int.Parse(Get(o, "trials", "20"));
        var threads = Threads(o);
        var pack = KnowledgeBase.LoadEmbeddedPack();
        using var encoder = StaticTableEncoder.LoadEmbedded();
        var rows = new List<RecommendRow>();
        var watch = Stopwatch.StartNew();
        foreach (var folder in DatasetFolders(o))
        {
            var (file, data) = KnowledgePackBuilder.Load(folder);
            var card = file.Card;
            var metric = card.PrimaryMetric;
            double Test(TrainingOutcome outcome) => outcome.Test.Get(metric)!.Value;
            var others = pack.Records.Where(r => r.Dataset != card.Name).ToList(); // nothing derived from this dataset

            double Variant(double textWeight, out double ms)
            {
                var sw = Stopwatch.StartNew();
                var config = RecommendedConfig(card, Knowledge(encoder, others, textWeight));
                ms = sw.Elapsed.TotalMilliseconds;
                return Test(KnowledgePackBuilder.Evaluate(data, card, config, threads).Outcome);
            }
            var trainWatch = Stopwatch.StartNew();
            var blend = Variant(0.5, out var recommendMs);
            var trainSeconds = trainWatch.Elapsed.TotalSeconds;
            var textOnly = Variant(1.0, out _);
            var metaOnly = Variant(0.0, out _);
            var defaults = Test(KnowledgePackBuilder.Evaluate(data, card, KnowledgePackBuilder.Defaults, threads, earlyStopping: false).Outcome);

            var searchWatch = Stopwatch.StartNew();
            var rng = new Random(42);
            var scores = new List<double>();
            (double Valid, double Test)? best = null;
            var higher = TaskDefaults.HigherIsBetter(metric);
            for (var t = 0; t < trials; t++)
            {
                var (valid, outcome, _) = KnowledgePackBuilder.Evaluate(data, card, KnowledgePackBuilder.Sample(rng), threads);
                scores.Add(Test(outcome));
                if (best is null || (higher ? valid > best.Value.Valid : valid < best.Value.Valid)) best = (valid, Test(outcome));
            }
            var row = new RecommendRow(card.Name, metric, higher, defaults, scores.Average(), best!.Value.Test, blend, textOnly, metaOnly,
                recommendMs, searchWatch.Elapsed.TotalSeconds, trainSeconds);
            rows.Add(row);
            Console.WriteLine($"{card.Name,-26} {metric,-9} defaults {F(defaults)}  random-mean {F(row.RandomMean)}  search-best {F(row.SearchBest)}  " +
                              $"recommended {F(blend)} (text {F(textOnly)}, meta {F(metaOnly)})  norm {F(row.Normalised(blend), "0.000")}  " +
                              $"recommend {F(recommendMs, "0.0")} ms + train {F(trainSeconds, "0.0")} s vs search {F(row.SearchSeconds, "0.0")} s");
        }
        object Summary(Func<RecommendRow, double> pick) => new
        {
            MeanNormalised = rows.Average(r => r.Normalised(pick(r))),
            WinRateVsDefaults = rows.Count(r => r.Beats(pick(r), r.Defaults)) / (double)rows.Count,
            WinRateVsRandomMean = rows.Count(r => r.Beats(pick(r), r.RandomMean)) / (double)rows.Count,
            NotWorseThanDefaults = rows.Count(r => !r.Beats(r.Defaults, pick(r))) / (double)rows.Count,
        };
        var summary = new
        {
            Datasets = rows.Count,
            Trials = trials,
            Blend = Summary(r => r.Blend),
            TextOnly = Summary(r => r.TextOnly),
            MetaOnly = Summary(r => r.MetaOnly),
            DefaultsNormalised = rows.Average(r => r.Normalised(r.Defaults)),
            RandomMeanNormalised = rows.Average(r => r.Normalised(r.RandomMean)),
            MeanRecommendMs = rows.Average(r => r.RecommendMs),
            MeanRecommendTrainSeconds = rows.Average(r => r.RecommendTrainSeconds),
            MeanSearchSeconds = rows.Average(r => r.SearchSeconds),
            Minutes = watch.Elapsed.TotalMinutes,
        };
        Console.WriteLine();
        Console.WriteLine($"normalised score (recommended / best of {trials}-trial search, inverted for RMSE): blend {F(rows.Average(r => r.Normalised(r.Blend)), "0.000")}, " +
                          $"text only {F(rows.Average(r => r.Normalised(r.TextOnly)), "0.000")}, meta only {F(rows.Average(r => r.Normalised(r.MetaOnly)), "0.000")}, " +
                          $"defaults {F(summary.DefaultsNormalised, "0.000")}, random mean {F(summary.RandomMeanNormalised, "0.000")}");
        Console.WriteLine($"win rate of the blend: vs defaults {rows.Count(r => r.Beats(r.Blend, r.Defaults))}/{rows.Count}, vs random mean {rows.Count(r => r.Beats(r.Blend, r.RandomMean))}/{rows.Count}");
        Console.WriteLine($"wall time: recommend {F(summary.MeanRecommendMs, "0.0")} ms + train {F(summary.MeanRecommendTrainSeconds, "0.00")} s vs search {F(summary.MeanSearchSeconds, "0.00")} s per dataset; total {F(summary.Minutes, "0.0")} min");
        return Task.FromResult<object>(new { Rows = rows, Summary = summary });
    }

    /// <summary>Stage D's predicted final metric (leave-one-out knowledge) against the real test metric of the recommended configuration.</summary>
    private static async Task<object> PredictLogAsync(Dictionary<string, string> o)
    {
        var pack = KnowledgeBase.LoadEmbeddedPack();
        using var encoder = StaticTableEncoder.LoadEmbedded();
        var rows = new List<object>();
        var errors = new List<double>();
        var inside = 0;
        foreach (var folder in DatasetFolders(o))
        {
            var (file, data) = KnowledgePackBuilder.Load(folder);
            var card = file.Card;
            var kb = Knowledge(encoder, pack.Records.Where(r => r.Dataset != card.Name), 0.5);
            var cards = new ExperimentCards(card, ModelCatalogue.LightGbm.TemplateCard(), new ExperimentRequest { Resources = "CPU only, 2 cores" });
            var engine = new OfflineEngine(new OfflineEngineOptions { StreamDelayMilliseconds = 0 }, kb);
            PredictedCurve? curve = null;
            await foreach (var u in PipelineRunner.RunAsync(engine, cards, CancellationToken.None))
                if (u.Output?.Curve is { } c) curve = c;
            var real = KnowledgePackBuilder.Evaluate(data, card, RecommendedConfig(card, kb), Threads(o)).Outcome.Test.Get(card.PrimaryMetric)!.Value;
            var comparable = curve is not null && TaskDefaults.HigherIsBetter(card.PrimaryMetric);
            if (comparable)
            {
                errors.Add(Math.Abs(curve!.Final - real));
                if (real >= curve.Low && real <= curve.High) inside++;
            }
            rows.Add(new { card.Name, Metric = card.PrimaryMetric, Predicted = curve?.Final, curve?.Low, curve?.High, Real = real, Comparable = comparable });
            Console.WriteLine($"{card.Name,-26} {card.PrimaryMetric,-9} predicted {(comparable ? $"{F(curve!.Final)} [{F(curve.Low)}, {F(curve.High)}]" : "n/a (scale-dependent metric)"),-30} real {F(real)}");
        }
        Console.WriteLine();
        Console.WriteLine($"scale-free metrics: {errors.Count} datasets, mean absolute error {F(errors.Average())}, real value inside the predicted band {inside}/{errors.Count}");
        return new { Rows = rows, MeanAbsoluteError = errors.Average(), InsideBand = inside, Compared = errors.Count };
    }

    /// <summary>Cards per second at batch 1 and 32, load time, and agreement with the full USE-lite model on card pairs.</summary>
    private static object EncoderSuite(Dictionary<string, string> o)
    {
        var models = Get(o, "models", "../shared/models");
        var cards = Directory.GetDirectories(Get(o, "datasets", "../shared/datasets"))
            .Where(d => File.Exists(Path.Combine(d, "datacard.json"))).Order()
            .Select(d => KnowledgeText.For(DatasetCardFile.Load(Path.Combine(d, "datacard.json")).Card)).ToList();
        var factories = new List<(string Name, Func<TextEncoder> Create)>
        {
            ("use-lite-static (embedded)", StaticTableEncoder.LoadEmbedded),
            ("hashing", () => new HashingEncoder()),
        };
        var full = Path.Combine(models, "use-lite-en", "model.onnx");
        if (File.Exists(full)) factories.Insert(0, ("use-lite-en (ONNX)", () => new OnnxSentenceEncoder(full)));
        float[][]? reference = null;
        var results = new List<object>();
        foreach (var (name, create) in factories)
        {
            var load = Stopwatch.StartNew();
            using var encoder = create();
            var loadMs = load.Elapsed.TotalMilliseconds;
            var vectors = encoder.Encode(cards);
            double PerSecond(int batch)
            {
                var batches = cards.Chunk(batch).Select(b => b.ToList()).ToList();
                long encoded = 0;
                var sw = Stopwatch.StartNew();
                while (sw.Elapsed < TimeSpan.FromSeconds(2))
                    foreach (var b in batches) { encoder.Encode(b); encoded += b.Count; }
                return encoded / sw.Elapsed.TotalSeconds;
            }
            var b1 = PerSecond(1);
            var b32 = PerSecond(32);
            reference ??= vectors;
            var (pearson, spearman, nn) = Agreement(reference, vectors);
            results.Add(new { Encoder = name, LoadMs = loadMs, CardsPerSecondBatch1 = b1, CardsPerSecondBatch32 = b32, encoder.Info.ExecutionProvider, Pearson = pearson, Spearman = spearman, SameNearestNeighbour = nn, Cards = cards.Count });
            Console.WriteLine($"{name,-28} load {F(loadMs, "0")} ms  batch 1 {F(b1, "0")}/s  batch 32 {F(b32, "0")}/s  vs full model: Pearson {F(pearson, "0.00")}, Spearman {F(spearman, "0.00")}, same nearest neighbour {nn}/{cards.Count}  [{encoder.Info.ExecutionProvider}]");
        }
        return results;
    }

    private static (double Pearson, double Spearman, int SameNearest) Agreement(float[][] a, float[][] b)
    {
        var x = new List<double>(); var y = new List<double>();
        var same = 0;
        for (var i = 0; i < a.Length; i++)
        {
            int bestA = -1, bestB = -1; float sa = float.MinValue, sb = float.MinValue;
            for (var j = 0; j < a.Length; j++)
            {
                if (i == j) continue;
                var ca = TensorPrimitives.Dot(a[i], a[j]); var cb = TensorPrimitives.Dot(b[i], b[j]);
                if (j > i) { x.Add(ca); y.Add(cb); }
                if (ca > sa) (sa, bestA) = (ca, j);
                if (cb > sb) (sb, bestB) = (cb, j);
            }
            if (bestA == bestB) same++;
        }
        return (Pearson(x, y), Pearson(Ranks(x), Ranks(y)), same);
    }

    private static double Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < x.Count; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx); syy += (y[i] - my) * (y[i] - my); }
        return sxy / Math.Sqrt(sxx * syy);
    }

    private static List<double> Ranks(List<double> v)
    {
        var order = Enumerable.Range(0, v.Count).OrderBy(i => v[i]).ToArray();
        var ranks = new double[v.Count];
        for (var r = 0; r < order.Length; r++) ranks[order[r]] = r;
        return [.. ranks];
    }

    /// <summary>Top-10 latency of the SIMD index against a plain loop, and bytes scanned per second beside memory bandwidth.</summary>
    private static object SearchSuite(Dictionary<string, string> o)
    {
        const int d = 512;
        var sizes = Get(o, "sizes", "1000,10000,100000,1000000").Split(',').Select(int.Parse).ToList();
        var bandwidth = MemoryBandwidth();
        Console.WriteLine($"memory bandwidth (sum over a 1 GiB array): {F(bandwidth / 1e9, "0.0")} GB/s");
        var rng = new Random(1);
        var results = new List<object>();
        foreach (var n in sizes)
        {
            var index = new VectorIndex(d);
            var flat = new float[(long)n * d <= int.MaxValue ? n * d : 0];
            var v = new float[d];
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < d; j++) v[j] = (float)(rng.NextDouble() - 0.5);
                TextEncoder.Normalize(v);
                index.Add(v);
                v.CopyTo(flat, i * d);
            }
            var query = flat.AsSpan(0, d).ToArray();
            double Time(Action action, int minReps)
            {
                action();
                var sw = Stopwatch.StartNew(); var reps = 0;
                while (reps < minReps || sw.Elapsed < TimeSpan.FromSeconds(1)) { action(); reps++; }
                return sw.Elapsed.TotalMilliseconds / reps;
            }
            var simd = Time(() => index.Search(query, 10), 3);
            var plain = Time(() =>
            {
                var scores = new float[n];
                for (var i = 0; i < n; i++) { float s = 0; for (var j = 0; j < d; j++) s += flat[i * d + j] * query[j]; scores[i] = s; }
                Array.Sort(scores.ToArray(), Enumerable.Range(0, n).ToArray());
            }, 1);
            var bytesPerSecond = (double)n * d * sizeof(float) / (simd / 1000);
            results.Add(new { Vectors = n, SimdTop10Ms = simd, PlainLoopMs = plain, Speedup = plain / simd, ScanGBps = bytesPerSecond / 1e9, BandwidthGBps = bandwidth / 1e9 });
            Console.WriteLine($"{n,9:N0} vectors: SIMD top-10 {F(simd, "0.000")} ms, plain loop + sort {F(plain, "0.000")} ms ({F(plain / simd, "0.0")}×), scan {F(bytesPerSecond / 1e9, "0.0")} GB/s");
        }
        return new { BandwidthGBps = bandwidth / 1e9, Results = results };
    }

    private static double MemoryBandwidth()
    {
        var data = new float[256 * 1024 * 1024]; // 1 GiB
        for (var i = 0; i < data.Length; i += 1024) data[i] = 1;
        TensorPrimitives.Sum(data);
        var sw = Stopwatch.StartNew(); var reps = 0;
        while (sw.Elapsed < TimeSpan.FromSeconds(1.5)) { TensorPrimitives.Sum(data); reps++; }
        return (double)data.Length * sizeof(float) * reps / sw.Elapsed.TotalSeconds;
    }

    /// <summary>Offline engine time to the first stage update and to completion over the paper's examples.</summary>
    private static async Task<object> PipelineSuiteAsync(Dictionary<string, string> o)
    {
        var pack = KnowledgeBase.LoadEmbeddedPack();
        using var encoder = StaticTableEncoder.LoadEmbedded();
        var engine = new OfflineEngine(new OfflineEngineOptions { StreamDelayMilliseconds = 0 }, Knowledge(encoder, pack.Records, 0.5));
        var results = new List<object>();
        foreach (var example in PaperExamples.All)
        {
            var runs = new List<(double First, double Total)>();
            for (var rep = 0; rep < 21; rep++)
            {
                var sw = Stopwatch.StartNew(); double? first = null;
                await foreach (var u in PipelineRunner.RunAsync(engine, example.Create(), CancellationToken.None))
                    first ??= u.Kind == StageUpdateKind.Delta ? sw.Elapsed.TotalMilliseconds : null;
                if (rep > 0) runs.Add((first ?? 0, sw.Elapsed.TotalMilliseconds)); // the first run warms up
            }
            var firstMedian = runs.Select(r => r.First).Order().ElementAt(runs.Count / 2);
            var totalMedian = runs.Select(r => r.Total).Order().ElementAt(runs.Count / 2);
            results.Add(new { example.Title, FirstUpdateMs = firstMedian, CompletionMs = totalMedian, Runs = runs.Count });
            Console.WriteLine($"{example.Title,-40} first update {F(firstMedian, "0.00")} ms, all four stages {F(totalMedian, "0.00")} ms (median of {runs.Count})");
        }
        return results;
    }

    /// <summary>UCI Adult, standard split, with the configuration the app recommends (knowledge without Adult itself).</summary>
    private static object TrainSuite(Dictionary<string, string> o)
    {
        var folder = Path.Combine(Get(o, "datasets", "../shared/datasets"), "adult");
        var (file, data) = KnowledgePackBuilder.Load(folder);
        var pack = KnowledgeBase.LoadEmbeddedPack();
        using var encoder = StaticTableEncoder.LoadEmbedded();
        var config = RecommendedConfig(file.Card, Knowledge(encoder, pack.Records.Where(r => r.Dataset != "adult"), 0.5));
        var sw = Stopwatch.StartNew();
        var (_, outcome, _) = KnowledgePackBuilder.Evaluate(data, file.Card, config, Threads(o));
        var seconds = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"adult (standard split, {outcome.Test.Rows:N0} test rows): accuracy {F(outcome.Test.Accuracy!.Value)}, log loss {F(outcome.Test.LogLoss!.Value)}, AUC {F(outcome.Test.Auc!.Value)}, " +
                          $"{outcome.BestIteration} of {outcome.Iterations} iterations, {F(seconds, "0.00")} s wall");
        Console.WriteLine("configuration: " + string.Join(", ", config.Select(kv => $"{kv.Key}={kv.Value}")));
        return new { outcome.Test.Accuracy, outcome.Test.LogLoss, outcome.Test.Auc, outcome.BestIteration, Seconds = seconds, Config = config };
    }
}
