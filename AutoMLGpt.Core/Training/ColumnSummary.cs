using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;

namespace AutoMLGpt.Core.Training;

/// <summary>
/// One column's profile built in one pass, value by value, in bounded memory: counts, numeric range and mean, length,
/// whether its first values look like dates, exact counts of up to <c>tracked</c> distinct values (for top values and
/// class counts), and past that a HyperLogLog estimate of how many distinct values there are.
/// </summary>
public sealed partial class ColumnSummary(int tracked)
{
    private const int DateSample = 200;
    // Looked up by span, so a value already counted costs no string.
    private readonly Dictionary<string, Tally>.AlternateLookup<ReadOnlySpan<char>> _lookup =
        new Dictionary<string, Tally>(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
    private Dictionary<string, Tally> Tallies => _lookup.Dictionary;
    private int _present, _missing, _numeric, _dateChecked;
    private bool _datesSoFar = true;
    private double _min = double.PositiveInfinity, _max = double.NegativeInfinity, _sum;
    private long _length;
    private DistinctSketch? _sketch;

    private sealed class Tally(int order) { public int Count; public readonly int Order = order; }

    public void AddMissing() => _missing++;

    public void Add(ReadOnlySpan<char> value)
    {
        _present++;
        _length += value.Length;
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            _numeric++;
            _sum += number;
            if (number < _min) _min = number;
            if (number > _max) _max = number;
        }
        if (_dateChecked < DateSample)
        {
            _dateChecked++;
            _datesSoFar = _datesSoFar && DateLike().IsMatch(value) && DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
        }
        if (_lookup.TryGetValue(value, out var tally)) { tally.Count++; return; }
        if (Tallies.Count < tracked) { _lookup[value] = new Tally(Tallies.Count) { Count = 1 }; return; }
        if (_sketch is null)
        {
            // The sketch starts from the distinct values seen so far: adding a value twice changes nothing in it.
            _sketch = new DistinctSketch();
            foreach (var key in Tallies.Keys) _sketch.Add(key);
        }
        _sketch.Add(value);
    }

    /// <summary>Exact when the column has at most <c>tracked</c> distinct values.</summary>
    public bool DistinctIsEstimate => _sketch is not null;
    public int Distinct => _sketch is null ? Tallies.Count : Math.Max(Tallies.Count + 1, _sketch.Estimate());

    /// <summary>Counts of the tracked values, most frequent first, ties by name.</summary>
    public List<(string Value, int Count)> Counts() =>
        Tallies.Select(kv => (Value: kv.Key, kv.Value.Count)).OrderByDescending(c => c.Count).ThenBy(c => c.Value, StringComparer.Ordinal).ToList();

    public ColumnProfile ToProfile(string name)
    {
        var rows = _present + _missing;
        var distinct = Distinct;
        ColumnKind kind;
        if (_present > 0 && _numeric / (double)_present >= 0.98) kind = ColumnKind.Numeric;
        else if (_present > 0 && _datesSoFar) kind = ColumnKind.Date;
        else if (_present > 0 && _length / (double)_present > 30 && distinct > _present * 0.5) kind = ColumnKind.Text;
        else kind = ColumnKind.Categorical;
        var hasNumbers = kind == ColumnKind.Numeric && _numeric > 0;
        // Most frequent first; a tie keeps the order the values first appeared in.
        var top = kind == ColumnKind.Numeric ? [] : Tallies.OrderByDescending(kv => kv.Value.Count).ThenBy(kv => kv.Value.Order).Take(5).Select(kv => (kv.Key, kv.Value.Count)).ToList();
        return new ColumnProfile(name, kind, _missing, rows == 0 ? 0 : _missing / (double)rows, distinct,
            hasNumbers ? _min : null, hasNumbers ? _max : null, hasNumbers ? _sum / _numeric : null, top, DistinctIsEstimate);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?$|^\d{1,2}/\d{1,2}/\d{4}$")]
    private static partial Regex DateLike();

    /// <summary>HyperLogLog (Flajolet et al., 2007) with 2^12 registers: about 1.6% standard error, 4 KB per column.</summary>
    private sealed class DistinctSketch
    {
        private const int Bits = 12;
        private readonly byte[] _registers = new byte[1 << Bits];

        public void Add(ReadOnlySpan<char> value)
        {
            var hash = Hash(value);
            var index = (int)(hash >> (64 - Bits));
            var rank = (byte)(BitOperations.LeadingZeroCount((hash << Bits) | (1UL << (Bits - 1))) + 1);
            if (rank > _registers[index]) _registers[index] = rank;
        }

        public int Estimate()
        {
            double m = _registers.Length, sum = 0;
            var zeros = 0;
            foreach (var r in _registers) { sum += Math.Pow(2, -r); if (r == 0) zeros++; }
            var estimate = 0.7213 / (1 + 1.079 / m) * m * m / sum;
            if (estimate <= 2.5 * m && zeros > 0) estimate = m * Math.Log(m / zeros); // linear counting for small counts
            return (int)Math.Min(int.MaxValue, Math.Round(estimate));
        }

        // FNV-1a over the UTF-16 units, then MurmurHash3's finaliser so every bit depends on every input bit.
        private static ulong Hash(ReadOnlySpan<char> value)
        {
            var h = 14695981039346656037UL;
            foreach (var c in value) h = (h ^ c) * 1099511628211UL;
            h ^= h >> 33; h *= 0xff51afd7ed558ccdUL; h ^= h >> 33; h *= 0xc4ceb9fe1a85ec53UL; h ^= h >> 33;
            return h;
        }
    }
}
