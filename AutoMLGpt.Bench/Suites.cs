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
            // The ONNX model's bare InferenceSession.Run (default session options) on the same batches, tokenised
            // beforehand: what the app adds (tokenising, copies, options) shows as a ratio.
            var sparse = encoder is OnnxSentenceEncoder onnx ? cards.Chunk(32).Select(b => onnx.TokenizeUseLite(b)).ToList() : null;
            double? raw32 = sparse is null ? null : RawRunPerSecond(full, sparse);
            double? pieces = sparse is null ? null : sparse.Sum(b => b.Values.Length) / (double)cards.Count;
            reference ??= vectors;
            var (pearson, spearman, nn) = Agreement(reference, vectors);
            results.Add(new { Encoder = name, LoadMs = loadMs, CardsPerSecondBatch1 = b1, CardsPerSecondBatch32 = b32, RawRunCardsPerSecondBatch32 = raw32,
                EncoderShareOfRawRun = raw32 is { } r ? b32 / r : (double?)null, MeanPiecesPerCard = pieces, encoder.Info.ExecutionProvider, Pearson = pearson, Spearman = spearman, SameNearestNeighbour = nn, Cards = cards.Count });
            Console.WriteLine($"{name,-28} load {F(loadMs, "0")} ms  batch 1 {F(b1, "0")}/s  batch 32 {F(b32, "0")}/s{(raw32 is { } raw ? $" (bare session run {F(raw, "0")}/s: {F(b32 / raw * 100, "0")}%; {F(pieces ?? 0, "0")} pieces per card)" : "")}  vs full model: Pearson {F(pearson, "0.00")}, Spearman {F(spearman, "0.00")}, same nearest neighbour {nn}/{cards.Count}  [{encoder.Info.ExecutionProvider}]");
        }
        return results;
    }

    /// <summary>Cards per second of a bare session (default options) running pre-tokenised USE-lite batches.</summary>
    private static double RawRunPerSecond(string modelPath, IReadOnlyList<OnnxSentenceEncoder.SparseBatch> batches)
    {
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(modelPath);
        var inputs = batches.Select(b => new[]
        {
            Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("indices", new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<long>(b.Indices, [b.Values.Length, 2])),
            Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("values", new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<long>(b.Values, [b.Values.Length])),
        }).ToList();
        foreach (var input in inputs) session.Run(input).Dispose(); // warm-up, as the encoder's was
        long rows = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(2))
            for (var i = 0; i < inputs.Count; i++) { session.Run(inputs[i]).Dispose(); rows += batches[i].Rows; }
        return rows / sw.Elapsed.TotalSeconds;
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
}
