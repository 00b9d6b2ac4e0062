using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Tokenizers;

namespace AutoMLGpt.Core.Knowledge.Encoders;

/// <summary>
/// A sentence encoder on ONNX Runtime, with two input profiles chosen from the model's input names:
/// USE-lite (sparse <c>indices</c>/<c>values</c>, SentencePiece, pooled and normalised inside the graph) and the
/// BERT family (<c>input_ids</c>, <c>attention_mask</c>, optional <c>token_type_ids</c>, WordPiece <c>vocab.txt</c>,
/// masked mean pooling and L2 normalisation here). One shared session; the execution provider is chosen at run time.
/// </summary>
public sealed class OnnxSentenceEncoder : TextEncoder
{
    private enum Profile { UseLite, Bert }

    private readonly InferenceSession _session;
    private readonly Profile _profile;
    private readonly SentencePieceText? _pieces;
    private readonly BertTokenizer? _wordPieces;
    private readonly bool _hasTokenTypes;
    private readonly int _maxTokens;
    private readonly string _output;

    public override EncoderInfo Info { get; }

    public OnnxSentenceEncoder(string modelPath, int maxTokens = 256)
    {
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"Encoder:ModelPath points at {modelPath}, which does not exist.");
        var folder = Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
        var (options, provider) = SessionOptionsWithBestProvider();
        _session = new InferenceSession(modelPath, options);
        var inputs = _session.InputMetadata.Keys.ToHashSet();
        _maxTokens = Math.Clamp(maxTokens, 8, 512);
        if (inputs.SetEquals(["indices", "values"]))
        {
            _profile = Profile.UseLite;
            _output = _session.OutputMetadata.ContainsKey("embeddings") ? "embeddings" : _session.OutputMetadata.Keys.First();
            using var model = OpenBeside(folder, "sentencepiece.model");
            using var vocab = OpenBeside(folder, "vocab.json");
            _pieces = new SentencePieceText(model, vocab);
        }
        else if (inputs.Contains("input_ids") && inputs.Contains("attention_mask"))
        {
            _profile = Profile.Bert;
            _hasTokenTypes = inputs.Contains("token_type_ids");
            _output = _session.OutputMetadata.ContainsKey("last_hidden_state") ? "last_hidden_state" : _session.OutputMetadata.Keys.First();
            var vocab = Path.Combine(folder, "vocab.txt");
            if (!File.Exists(vocab)) throw new FileNotFoundException($"A BERT-family model needs its WordPiece vocab.txt beside it ({vocab}).");
            _wordPieces = BertTokenizer.Create(vocab, new BertOptions { LowerCaseBeforeTokenization = true });
        }
        else
        {
            _session.Dispose();
            throw new NotSupportedException($"The model's inputs ({string.Join(", ", inputs)}) match neither the USE-lite profile (indices, values) nor the BERT profile (input_ids, attention_mask[, token_type_ids]).");
        }
        var dims = _session.OutputMetadata[_output].Dimensions;
        var width = dims.Length > 0 && dims[^1] > 0 ? dims[^1] : 0;
        Info = new EncoderInfo($"onnx:{Path.GetFileName(folder)}", $"{(_profile == Profile.UseLite ? "USE-lite" : "BERT-family")} ONNX model at {modelPath}", width, provider);
    }

    private static Stream OpenBeside(string folder, string name)
    {
        var path = Path.Combine(folder, name);
        return File.Exists(path) ? File.OpenRead(path) : throw new FileNotFoundException($"The USE-lite profile needs {name} beside the model ({path}).");
    }

    /// <summary>DirectML where the package is referenced (Windows) and a device answers, else the CPU.</summary>
    private static (SessionOptions Options, string Provider) SessionOptionsWithBestProvider()
    {
        var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
#if DIRECTML
        try
        {
            options.AppendExecutionProvider_DML(0);
            return (options, "DirectML");
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            return (options, $"CPU (DirectML unavailable: {ex.Message})");
        }
#else
        return (options, "CPU");
#endif
    }

    public override float[][] Encode(IReadOnlyList<string> texts) =>
        texts.Count == 0 ? [] : _profile == Profile.UseLite ? EncodeUseLite(texts) : EncodeBert(texts);

    /// <summary>A batch in USE-lite's sparse form: one (row, position) pair and one piece id per token.</summary>
    public sealed record SparseBatch(long[] Indices, long[] Values, int Rows);

    /// <summary>Tokenises a batch for the USE-lite profile (public so the bench can time the bare session on the same input).</summary>
    public SparseBatch TokenizeUseLite(IReadOnlyList<string> texts)
    {
        var tokenized = new int[texts.Count][];
        var n = 0;
        for (var i = 0; i < texts.Count; i++) n += (tokenized[i] = _pieces!.Encode(texts[i])).Length;
        var indices = new long[n * 2];
        var values = new long[n];
        var k = 0;
        for (var row = 0; row < tokenized.Length; row++)
            for (var pos = 0; pos < tokenized[row].Length; pos++, k++)
            {
                indices[2 * k] = row;
                indices[2 * k + 1] = pos;
                values[k] = tokenized[row][pos];
            }
        return new SparseBatch(indices, values, texts.Count);
    }

    private float[][] EncodeUseLite(IReadOnlyList<string> texts) => RunUseLite(TokenizeUseLite(texts));

    // The arrays are pinned and handed to ONNX Runtime as they are, and the output is read as one span: no tensor
    // copies and no per-element indexer on the way in or out.
    private float[][] RunUseLite(SparseBatch batch)
    {
        using var indices = OrtValue.CreateTensorValueFromMemory(batch.Indices, [batch.Values.Length, 2]);
        using var values = OrtValue.CreateTensorValueFromMemory(batch.Values, [batch.Values.Length]);
        using var results = _session.Run(_runOptions, UseLiteInputs, [indices, values], [_output]);
        var output = results[0].GetTensorDataAsSpan<float>();
        var width = output.Length / batch.Rows;
        var vectors = new float[batch.Rows][];
        for (var r = 0; r < batch.Rows; r++) vectors[r] = output.Slice(r * width, width).ToArray(); // pooled and normalised inside the graph
        return vectors;
    }

    private static readonly string[] UseLiteInputs = ["indices", "values"];
    private readonly RunOptions _runOptions = new();

    private float[][] EncodeBert(IReadOnlyList<string> texts)
    {
        var tokenized = texts.Select(t =>
        {
            var ids = _wordPieces!.EncodeToIds(t);
            if (ids.Count <= _maxTokens) return ids.ToArray();
            return ids.Take(_maxTokens - 1).Append(ids[^1]).ToArray(); // keep [SEP] at the end
        }).ToList();
        var length = tokenized.Max(t => t.Length);
        var b = texts.Count;
        var inputIds = new long[b * length];
        var mask = new long[b * length];
        for (var r = 0; r < b; r++)
            for (var i = 0; i < tokenized[r].Length; i++) { inputIds[r * length + i] = tokenized[r][i]; mask[r * length + i] = 1; }
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(inputIds, [b, length])),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(mask, [b, length])),
        };
        if (_hasTokenTypes) inputs.Add(NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(new long[b * length], [b, length])));
        using var results = _session.Run(inputs, [_output]);
        var output = results[0].AsTensor<float>();
        var vectors = new float[b][];
        if (output.Dimensions.Length == 2)
        {
            for (var r = 0; r < b; r++) { vectors[r] = Enumerable.Range(0, output.Dimensions[1]).Select(i => output[r, i]).ToArray(); Normalize(vectors[r]); }
            return vectors;
        }
        var hidden = output.Dimensions[2];
        for (var r = 0; r < b; r++)
        {
            // Mean over real tokens only: the mask is applied here, whatever the graph does with it.
            var v = new float[hidden];
            var count = tokenized[r].Length;
            for (var t = 0; t < count; t++)
                for (var h = 0; h < hidden; h++) v[h] += output[r, t, h];
            for (var h = 0; h < hidden; h++) v[h] /= count;
            Normalize(v);
            vectors[r] = v;
        }
        return vectors;
    }

    public override void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
        base.Dispose();
    }
}
