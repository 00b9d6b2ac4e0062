using System.Text.RegularExpressions;
using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.Experiments;

/// <summary>
/// Tags on experiments: lower-case words of letters, digits, '-', '_' and '.', at most <see cref="MaxTags"/> per
/// experiment and <see cref="MaxLength"/> characters each. Stored as ",a,b," so a filter matches whole tags only.
/// </summary>
public static partial class ExperimentTags
{
    public const int MaxTags = 12, MaxLength = 32;
    public const int MaxStoredLength = MaxTags * (MaxLength + 1) + 1;

    /// <summary>The tags normalised (trimmed, lower-case, '#' dropped, duplicates removed, in order); invalid ones throw with the reason.</summary>
    public static IReadOnlyList<string> Normalise(IEnumerable<string> tags)
    {
        var result = new List<string>();
        foreach (var raw in tags)
        {
            var tag = raw.Trim().TrimStart('#').ToLowerInvariant();
            if (tag.Length == 0) continue;
            if (tag.Length > MaxLength) throw new CardValidationException([new("Tags", $"The tag \"{Shorten(tag)}\" is {tag.Length} characters; at most {MaxLength}.")]);
            if (!Valid().IsMatch(tag)) throw new CardValidationException([new("Tags", $"The tag \"{Shorten(tag)}\" may only use letters, digits, '-', '_' and '.'.")]);
            if (!result.Contains(tag)) result.Add(tag);
        }
        if (result.Count > MaxTags) throw new CardValidationException([new("Tags", $"{result.Count} tags; at most {MaxTags} per experiment.")]);
        return result;
    }

    public static string ToStored(IReadOnlyList<string> tags) => tags.Count == 0 ? "" : "," + string.Join(",", tags) + ",";

    public static IReadOnlyList<string> FromStored(string? stored) =>
        string.IsNullOrEmpty(stored) ? [] : stored.Split(',', StringSplitOptions.RemoveEmptyEntries);

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";

    [GeneratedRegex(@"^[\p{Ll}\p{Lo}\p{Nd}][\p{Ll}\p{Lo}\p{Nd}._-]*$")]
    private static partial Regex Valid();
}
