using System.Globalization;
using System.Text.RegularExpressions;

namespace AutoMLGpt.Core.Cards;

/// <summary>Small text helpers shared by the cards, the prompt and the engines.</summary>
public static partial class CardText
{
    public static IReadOnlyList<string> SplitList(string? text) =>
        string.IsNullOrWhiteSpace(text)
            ? []
            : text.Split([',', ';', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static (int Width, int Height)? ParseResolution(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var m = ResolutionPattern().Match(text);
        if (!m.Success) return null;
        return (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>"100 ImageNet classes, e.g. …" → 100; null when the text does not start with a count.</summary>
    public static int? LeadingCount(string? text)
    {
        var m = LeadingCountPattern().Match(text ?? "");
        return m.Success && int.TryParse(m.Groups[1].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;
    }

    /// <summary>Human-readable counts: 48842 → "48,842", 1281167 → "1.28M".</summary>
    public static string Count(long n) => n switch
    {
        >= 10_000_000 => (n / 1e6).ToString("0.#", CultureInfo.InvariantCulture) + "M",
        >= 1_000_000 => (n / 1e6).ToString("0.##", CultureInfo.InvariantCulture) + "M",
        _ => n.ToString("N0", CultureInfo.InvariantCulture),
    };

    /// <summary>A safe Python identifier / file stem from free text.</summary>
    /// <summary>
    /// A file name the user picked, as text safe to show: no folders, no control or text-direction characters,
    /// bounded; <paramref name="fallback"/> when nothing is left.
    /// </summary>
    public static string SafeFileName(string fileName, string fallback, int max = 200, bool dropExtension = false)
    {
        var last = fileName.Replace('\\', '/').Split('/')[^1];
        if (dropExtension) last = Path.GetFileNameWithoutExtension(last);
        var name = new string(last.Where(c => !char.IsControl(c) && c is not (>= '\u202A' and <= '\u202E') and not (>= '\u2066' and <= '\u2069')).ToArray()).Trim();
        if (dropExtension && name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) name = name[..^4];
        return name.Length == 0 ? fallback : name.Length > max ? name[..(max - 1)] + "…" : name;
    }

    public static string Slug(string text)
    {
        var s = SlugPattern().Replace(text.Trim().ToLowerInvariant(), "_").Trim('_');
        if (s.Length == 0) return "dataset";
        if (char.IsDigit(s[0])) s = "d_" + s;
        return s.Length > 60 ? s[..60] : s;
    }

    [GeneratedRegex(@"^\s*(\d{1,5})\s*[x×X*]\s*(\d{1,5})\s*$")]
    private static partial Regex ResolutionPattern();

    [GeneratedRegex(@"^\s*(\d{1,7})\s+[\w\s-]*?(classes|categories|labels|species|types)\b", RegexOptions.IgnoreCase)]
    private static partial Regex LeadingCountPattern();

    [GeneratedRegex(@"[^a-z0-9]+")]
    private static partial Regex SlugPattern();
}
