using System.Numerics.Tensors;
using System.Reflection;
using System.Runtime.InteropServices;

namespace AutoMLGpt.Core.Knowledge.Encoders;

/// <summary>
/// A static token-embedding table distilled from USE-lite (Model2Vec-style): each SentencePiece piece has an int8 vector
/// with a per-row scale; a text is the SIF-weighted mean of its pieces' vectors, L2-normalised. Needs no model file and
/// no ONNX Runtime: the embedded default.
/// </summary>
public sealed class StaticTableEncoder : TextEncoder
{
    public const int Dimensions = 512;
    public const string ResourcePrefix = "AutoMLGpt.Knowledge.";
    private readonly SentencePieceText _text;
    private readonly sbyte[] _vectors;
    private readonly float[] _scales;
    private readonly float[] _weights;

    public override EncoderInfo Info { get; }

    private StaticTableEncoder(SentencePieceText text, sbyte[] vectors, float[] scales, string origin)
    {
        if (vectors.Length != text.VocabularySize * Dimensions || scales.Length != text.VocabularySize)
            throw new InvalidDataException($"The static table has {vectors.Length / Dimensions} rows and {scales.Length} scales for a vocabulary of {text.VocabularySize}.");
        (_text, _vectors, _scales) = (text, vectors, scales);
        // SIF: frequent pieces weigh less; weight = a / (a + p(piece)).
        _weights = text.Scores.Select(s => 1e-3f / (1e-3f + MathF.Exp(s))).ToArray();
        Info = new EncoderInfo("use-lite-static", $"USE-lite distilled static table, int8 ({origin})", Dimensions, "CPU (no ONNX Runtime needed)");
    }

    /// <summary>The table committed with the app, as embedded resources.</summary>
    public static StaticTableEncoder LoadEmbedded()
    {
        var assembly = typeof(StaticTableEncoder).Assembly;
        Stream Open(string name) => assembly.GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new FileNotFoundException($"Embedded resource {name} is missing from {assembly.GetName().Name}.");
        using var model = Open("sentencepiece.model");
        using var vocab = Open("vocab.json");
        return new StaticTableEncoder(new SentencePieceText(model, vocab), ReadAll<sbyte>(Open("vectors.i8")), ReadAll<float>(Open("scales.f32")), "embedded");
    }

    /// <summary>A table in a folder: vectors.i8, scales.f32, vocab.json, sentencepiece.model.</summary>
    public static StaticTableEncoder LoadFolder(string folder)
    {
        using var model = File.OpenRead(Path.Combine(folder, "sentencepiece.model"));
        using var vocab = File.OpenRead(Path.Combine(folder, "vocab.json"));
        return new StaticTableEncoder(new SentencePieceText(model, vocab),
            ReadAll<sbyte>(File.OpenRead(Path.Combine(folder, "vectors.i8"))), ReadAll<float>(File.OpenRead(Path.Combine(folder, "scales.f32"))), folder);
    }

    private static T[] ReadAll<T>(Stream stream) where T : unmanaged
    {
        using (stream)
        using (var memory = new MemoryStream())
        {
            stream.CopyTo(memory);
            return MemoryMarshal.Cast<byte, T>(memory.ToArray()).ToArray();
        }
    }

    public override float[][] Encode(IReadOnlyList<string> texts)
    {
        var result = new float[texts.Count][];
        var row = new float[Dimensions];
        for (var t = 0; t < texts.Count; t++)
        {
            var v = new float[Dimensions];
            foreach (var id in _text.Encode(texts[t]))
            {
                if (id <= 5) continue; // reserved pieces have no vector
                var weight = _weights[id] * _scales[id];
                var source = _vectors.AsSpan(id * Dimensions, Dimensions);
                for (var i = 0; i < Dimensions; i++) row[i] = source[i];
                TensorPrimitives.MultiplyAdd(row, weight, v, v);
            }
            Normalize(v);
            result[t] = v;
        }
        return result;
    }
}
