using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace AutoMLGpt.Core.Knowledge.Encoders;

/// <summary>
/// The last-resort encoder that needs no model file: hashed word unigrams and bigrams plus character 3-grams, with
/// sub-linear term frequency, signed into 512 buckets and L2-normalised. It only sees shared words, not meaning.
/// </summary>
public sealed partial class HashingEncoder : TextEncoder
{
    public const int Dimensions = 512;

    public override EncoderInfo Info { get; } = new("hashing-512", "hashed word and character n-grams (no model)", Dimensions, "CPU");

    public override float[][] Encode(IReadOnlyList<string> texts) => texts.Select(EncodeOne).ToArray();

    private static float[] EncodeOne(string text)
    {
        var counts = new Dictionary<int, float>();
        var words = Word().Matches(text.Normalize(NormalizationForm.FormKC).ToLower(CultureInfo.InvariantCulture)).Select(m => m.Value).ToList();
        void Add(string feature, float weight)
        {
            var h = Fnv(feature);
            var bucket = (int)(h % Dimensions);
            var sign = (h >> 31) == 0 ? 1f : -1f;
            counts[bucket] = counts.GetValueOrDefault(bucket) + sign * weight;
        }
        for (var i = 0; i < words.Count; i++)
        {
            Add("w:" + words[i], 1f);
            if (i + 1 < words.Count) Add("b:" + words[i] + " " + words[i + 1], 0.7f);
            var padded = $"#{words[i]}#";
            for (var j = 0; j + 3 <= padded.Length; j++) Add("c:" + padded.Substring(j, 3), 0.3f);
        }
        var v = new float[Dimensions];
        foreach (var (bucket, c) in counts) v[bucket] = MathF.Sign(c) * (1 + MathF.Log(MathF.Abs(c) + 1e-6f) * (MathF.Abs(c) >= 1 ? 1 : 0));
        Normalize(v);
        return v;
    }

    private static uint Fnv(string s)
    {
        var h = 2166136261u;
        foreach (var ch in s) { h ^= ch; h *= 16777619; }
        return h;
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Word();
}
