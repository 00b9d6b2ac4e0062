using System.Text;
using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace AutoMLGpt.Core.Knowledge.Encoders;

/// <summary>
/// USE-lite's tokenisation: NFKC, SentencePiece unigram (no lower-casing, no BOS/EOS), runs of &lt;unk&gt; merged into
/// one, at most 128 pieces; an empty text becomes a single &lt;unk&gt; so it still yields a row.
/// </summary>
public sealed class SentencePieceText
{
    public const int MaxPieces = 128;
    private readonly SentencePieceTokenizer _tokenizer;

    /// <summary>Log-probability of each piece (null scores count as −10), for SIF weighting.</summary>
    public float[] Scores { get; }

    public SentencePieceText(Stream sentencePieceModel, Stream vocabJson)
    {
        _tokenizer = SentencePieceTokenizer.Create(sentencePieceModel, false, false);
        using var doc = JsonDocument.Parse(vocabJson);
        var entries = doc.RootElement.EnumerateArray().ToList();
        Scores = entries.Select(e => e[1].ValueKind == JsonValueKind.Number ? (float)e[1].GetDouble() : -10f).ToArray();
    }

    public int VocabularySize => Scores.Length;

    public int[] Encode(string text)
    {
        var ids = _tokenizer.EncodeToIds(text.Normalize(NormalizationForm.FormKC), considerPreTokenization: true, considerNormalization: true);
        var merged = new List<int>(Math.Min(ids.Count, MaxPieces));
        foreach (var id in ids)
        {
            if (id == 0 && merged.Count > 0 && merged[^1] == 0) continue;
            merged.Add(id);
            if (merged.Count == MaxPieces) break;
        }
        return merged.Count == 0 ? [0] : merged.ToArray();
    }
}
