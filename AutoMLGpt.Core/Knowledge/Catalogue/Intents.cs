using System.Globalization;
using System.Text.RegularExpressions;

namespace AutoMLGpt.Core.Knowledge.Catalogue;

/// <summary>Requests the offline engine understands in free text (card requests now, chat follow-ups later).</summary>
[Flags]
public enum Intent
{
    None = 0,
    FasterInference = 1,
    LessMemory = 2,
    HigherAccuracy = 4,
    ShorterTraining = 8,
    SmallerBatch = 16,
}

/// <summary>The intents found in a text, plus any numeric target they carry.</summary>
public sealed record IntentSet(Intent Intents, double? TargetFps, double? MemoryLimitGb)
{
    public bool Has(Intent i) => (Intents & i) != 0;

    public static IntentSet Parse(string? text)
    {
        var t = (text ?? "").ToLowerInvariant();
        var intents = Intent.None;
        if (Regex.IsMatch(t, @"\bfps\b|faster inference|inference (faster|speed|latency)|low(er)? latency|real[- ]?time|faster (model|retriever|predictions?)|speed up inference|smaller model|lighter"))
            intents |= Intent.FasterInference;
        if (Regex.IsMatch(t, @"less memory|lower memory|out of memory|\boom\b|fit (on|in|into)|memory[- ]?(limit|budget|constrained)|\d+\s*gb (gpu|card|vram)|single gpu|one gpu"))
            intents |= Intent.LessMemory;
        if (Regex.IsMatch(t, @"higher accuracy|more accura|better (accuracy|score|results?|performance)|improve (accuracy|the score|performance)|maximi[sz]e|best (accuracy|score)"))
            intents |= Intent.HigherAccuracy;
        if (Regex.IsMatch(t, @"fewer epochs|shorter training|train(ing)? faster|faster training|less (training )?time|quick(er)? (run|training|experiment)|budget|within \d+\s*(h|hours?|min)"))
            intents |= Intent.ShorterTraining;
        if (Regex.IsMatch(t, @"smaller batch|reduce (the )?batch|lower (the )?batch|batch size (of )?\d+"))
            intents |= Intent.SmallerBatch;
        double? fps = null;
        var m = Regex.Match(t, @"(\d+(?:\.\d+)?)\s*fps");
        if (m.Success) fps = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        double? gb = null;
        var g = Regex.Match(t, @"(\d+(?:\.\d+)?)\s*gb");
        if (g.Success && intents.HasFlag(Intent.LessMemory)) gb = double.Parse(g.Groups[1].Value, CultureInfo.InvariantCulture);
        return new IntentSet(intents, fps, gb);
    }
}
