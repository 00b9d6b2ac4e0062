using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace AutoMLGpt.Core.Knowledge.Encoders;

/// <summary>
/// Distils the static table from the USE-lite ONNX model (Model2Vec-style): embed every vocabulary piece alone, centre
/// the table, remove its top principal components, quantise each row to int8 with its own scale.
/// </summary>
public static class StaticTableDistiller
{
    public const int Reserved = 6;

    public sealed record Result(int Rows, int DistilledRows, int RemovedComponents, IReadOnlyDictionary<string, string> Sha256, TimeSpan Elapsed);

    /// <param name="modelFolder">A folder with model.onnx, vocab.json and sentencepiece.model (e.g. ../shared/models/use-lite-en).</param>
    /// <param name="limit">Distil only the first pieces (tests); the rest stay zero.</param>
    public static Result Distill(string modelFolder, string outputFolder, int components = 3, int? limit = null, int batch = 1000)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Directory.CreateDirectory(outputFolder);
        int vocabulary;
        using (var vocab = File.OpenRead(Path.Combine(modelFolder, "vocab.json")))
        using (var model = File.OpenRead(Path.Combine(modelFolder, "sentencepiece.model")))
            vocabulary = new SentencePieceText(model, vocab).VocabularySize;
        var rows = Math.Min(vocabulary, limit ?? vocabulary);
        const int d = StaticTableEncoder.Dimensions;
        var table = new float[vocabulary * d];

        using (var session = new InferenceSession(Path.Combine(modelFolder, "model.onnx")))
        {
            for (var start = Reserved; start < rows; start += batch)
            {
                var n = Math.Min(batch, rows - start);
                var indices = new long[n * 2];
                var values = new long[n];
                for (var i = 0; i < n; i++) { indices[2 * i] = i; values[i] = start + i; }
                using var output = session.Run([
                    NamedOnnxValue.CreateFromTensor("indices", new DenseTensor<long>(indices, [n, 2])),
                    NamedOnnxValue.CreateFromTensor("values", new DenseTensor<long>(values, [n])),
                ], ["embeddings"]);
                var tensor = output[0].AsTensor<float>();
                for (var i = 0; i < n; i++)
                    for (var j = 0; j < d; j++) table[(start + i) * d + j] = tensor[i, j];
            }
        }

        // Centre over the distilled pieces, then remove the top principal components (common directions).
        var mean = new float[d];
        for (var r = Reserved; r < rows; r++) TensorPrimitives.Add(mean, table.AsSpan(r * d, d), mean);
        TensorPrimitives.Divide(mean, Math.Max(1, rows - Reserved), mean);
        for (var r = Reserved; r < rows; r++) TensorPrimitives.Subtract(table.AsSpan(r * d, d), mean, table.AsSpan(r * d, d));
        var removed = 0;
        for (var c = 0; c < components && rows - Reserved > c + 1; c++, removed++)
        {
            var axis = TopComponent(table, Reserved, rows, d, seed: 17 + c);
            for (var r = Reserved; r < rows; r++)
            {
                var v = table.AsSpan(r * d, d);
                var p = TensorPrimitives.Dot(v, axis);
                TensorPrimitives.MultiplyAdd(axis, -p, v, v);
            }
        }

        var quantised = new sbyte[vocabulary * d];
        var scales = new float[vocabulary];
        for (var r = Reserved; r < rows; r++)
        {
            var v = table.AsSpan(r * d, d);
            var max = TensorPrimitives.MaxMagnitude(v);
            if (max == 0) continue;
            scales[r] = MathF.Abs(max) / 127f;
            for (var j = 0; j < d; j++) quantised[r * d + j] = (sbyte)Math.Clamp(MathF.Round(v[j] / scales[r]), -127, 127);
        }

        File.WriteAllBytes(Path.Combine(outputFolder, "vectors.i8"), MemoryMarshal.AsBytes(quantised.AsSpan()).ToArray());
        File.WriteAllBytes(Path.Combine(outputFolder, "scales.f32"), MemoryMarshal.AsBytes(scales.AsSpan()).ToArray());
        foreach (var file in new[] { "vocab.json", "sentencepiece.model" })
            CopyWritable(Path.Combine(modelFolder, file), Path.Combine(outputFolder, file));
        var sums = new[] { "vectors.i8", "scales.f32", "vocab.json", "sentencepiece.model" }
            .ToDictionary(f => f, f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(outputFolder, f)))));
        return new Result(vocabulary, rows - Reserved, removed, sums, watch.Elapsed);
    }

    /// <summary>Copies a file so that the copy can be overwritten later (the shared sources are read-only).</summary>
    public static void CopyWritable(string source, string target)
    {
        if (File.Exists(target)) File.SetAttributes(target, FileAttributes.Normal);
        File.Copy(source, target, overwrite: true);
        File.SetAttributes(target, FileAttributes.Normal);
    }

    // Power iteration on the (implicit) covariance of the rows: v ← Xᵀ(Xv), normalised.
    private static float[] TopComponent(float[] table, int from, int to, int d, int seed)
    {
        var rng = new Random(seed);
        var v = Enumerable.Range(0, d).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        TextEncoder.Normalize(v);
        var next = new float[d];
        for (var iteration = 0; iteration < 60; iteration++)
        {
            Array.Clear(next);
            for (var r = from; r < to; r++)
            {
                var row = table.AsSpan(r * d, d);
                TensorPrimitives.MultiplyAdd(row, TensorPrimitives.Dot(row, v), next, next);
            }
            TextEncoder.Normalize(next);
            (v, next) = (next, v);
        }
        return v;
    }

    /// <summary>The provenance note committed beside the table.</summary>
    public static string Provenance(Result result, string command) => new StringBuilder()
        .AppendLine("# Distilled static table (embedded default encoder)")
        .AppendLine()
        .AppendLine("Derived from Google's Universal Sentence Encoder lite (Apache-2.0, see LICENSE), converted to ONNX in `../shared/models/use-lite-en`.")
        .AppendLine("Every SentencePiece piece was embedded alone by the ONNX model, the table centred, its top principal components removed and each row")
        .AppendLine("quantised to int8 with a per-row scale (`vectors.i8` int8 [rows, 512] row-major, `scales.f32` float32 LE [rows]; rows 0–5 are zero).")
        .AppendLine("Encoding: NFKC, SentencePiece, SIF-weighted mean (a = 1e-3 over the vocab.json log-probabilities), L2 normalisation.")
        .AppendLine()
        .AppendLine($"Command: `{command}`")
        .AppendLine()
        .AppendLine($"Rows: {result.Rows}, distilled: {result.DistilledRows}, principal components removed: {result.RemovedComponents}, time: {result.Elapsed.TotalSeconds:0.0} s.")
        .AppendLine()
        .AppendLine("| file | sha256 |")
        .AppendLine("|---|---|")
        .AppendJoin("", result.Sha256.Select(kv => $"| {kv.Key} | {kv.Value} |\n"))
        .ToString();
}
