using System.Globalization;
using System.Text.RegularExpressions;

namespace AutoMLGpt.Core.Engines.Offline;

/// <summary>The hardware read from the request's free-text resources, e.g. "4 × NVIDIA A5000" or "1 GPU with 16 GB".</summary>
public sealed record ResourceSpec(int GpuCount, double GpuMemoryGb, string GpuName, int CpuCores, bool Assumed)
{
    public bool HasGpu => GpuCount > 0;

    public string Describe() => HasGpu
        ? $"{GpuCount} × {GpuName} ({GpuMemoryGb:0.#} GB each){(Assumed ? " (assumed: no resources given)" : "")}"
        : $"CPU only ({CpuCores} cores)";

    /// <summary>Memory of common accelerators in GB, by the name users write.</summary>
    private static readonly (string Pattern, string Name, double Gb)[] KnownGpus =
    [
        (@"a100[\s-]*80|a100.*80\s*gb", "A100 80GB", 80), (@"a100", "A100 40GB", 40), (@"h100", "H100", 80), (@"h200", "H200", 141),
        (@"a6000", "RTX A6000", 48), (@"a5000", "RTX A5000", 24), (@"a4000", "RTX A4000", 16), (@"a40\b", "A40", 48),
        (@"a10g?\b", "A10", 24), (@"l40s?", "L40", 48), (@"\bl4\b", "L4", 24), (@"v100[\s-]*32|v100.*32\s*gb", "V100 32GB", 32),
        (@"v100", "V100 16GB", 16), (@"\bt4\b", "T4", 16), (@"p100", "P100", 16), (@"4090", "RTX 4090", 24), (@"3090", "RTX 3090", 24),
        (@"4080", "RTX 4080", 16), (@"3080", "RTX 3080", 10), (@"2080\s*ti", "RTX 2080 Ti", 11), (@"1080\s*ti", "GTX 1080 Ti", 11),
        (@"3060", "RTX 3060", 12), (@"mi300", "MI300X", 192), (@"mi250", "MI250", 128),
    ];

    public static ResourceSpec Parse(string? text)
    {
        var t = (text ?? "").ToLowerInvariant();
        var cores = Match(t, @"(\d+)\s*(?:cpu\s*)?(?:cores?|vcpus?|threads)") ?? 8; // deterministic when unstated
        if (string.IsNullOrWhiteSpace(t))
            return new ResourceSpec(1, 24, "GPU", cores, Assumed: true);
        if (Regex.IsMatch(t, @"no gpu|without (a )?gpu|cpu[- ]only|only (a )?cpu"))
            return new ResourceSpec(0, 0, "CPU", cores, Assumed: false);

        string? name = null; double? gb = null;
        foreach (var (pattern, n, g) in KnownGpus)
            if (Regex.IsMatch(t, pattern)) { name = n; gb = g; break; }
        var explicitGb = MatchDouble(t, @"(\d+(?:\.\d+)?)\s*gb");
        if (explicitGb is { } e) gb = e;
        var count = Match(t, @"(\d+)\s*(?:x|×|\*)?\s*(?:nvidia|amd|rtx|gtx|tesla)?\s*[a-z]*\d*\s*(?:gpus?|cards?)")
                    ?? Match(t, @"(\d+)\s*(?:x|×|\*)\s*")
                    ?? Match(t, @"(\d+)\s+(?:nvidia|amd|rtx|gtx|tesla|a\d{2,4}|v100|h100|t4|l4)")
                    ?? 1;
        if (name is null && gb is null && !t.Contains("gpu"))
            return new ResourceSpec(0, 0, "CPU", cores, Assumed: false);
        return new ResourceSpec(Math.Clamp(count, 1, 4096), gb ?? 16, name ?? $"GPU", cores, Assumed: false);
    }

    private static int? Match(string t, string pattern)
    {
        var m = Regex.Match(t, pattern);
        return m.Success && int.TryParse(m.Groups[1].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : null;
    }

    private static double? MatchDouble(string t, string pattern)
    {
        var m = Regex.Match(t, pattern);
        return m.Success && double.TryParse(m.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : null;
    }
}
