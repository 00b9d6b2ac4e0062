using System.Globalization;
using System.Text.RegularExpressions;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Pipeline;

namespace AutoMLGpt.Core.Reports;

/// <summary>What a question to the history was understood as: the filter, each part in words, and what was not understood.</summary>
/// <param name="Source">Who read the question: the offline grammar or the language model (named).</param>
public sealed record HistoryQuestionResult(HistoryQuery Query, IReadOnlyList<string> Understood, IReadOnlyList<string> Ignored, string Source = HistoryQuestion.GrammarSource);

/// <summary>
/// Turns a plain-language question ("bank datasets with AUC above 0.9 from this week", "adult runs with accuracy above
/// 0.87", "failed llm runs tagged baseline") into the History filter, by a small grammar: metric comparisons, time
/// ranges, status, engine, tags, pinned, sort words, and the remaining words as the search text. The filter is shown and
/// editable; nothing in the question is ever executed.
/// </summary>
public static partial class HistoryQuestion
{
    public const int MaxLength = 300;
    public const string GrammarSource = "offline grammar";

    /// <summary>The metric names the filter knows (the grammar's words map to these; the language model must pick one).</summary>
    public static IReadOnlyList<string> MetricNames => Metrics.Values.Distinct().ToList();

    private static readonly Dictionary<string, string> Metrics = new(StringComparer.OrdinalIgnoreCase)
    {
        ["accuracy"] = "accuracy", ["acc"] = "accuracy", ["auc"] = "AUC", ["roc auc"] = "AUC", ["rmse"] = "RMSE", ["mae"] = "MAE",
        ["r2"] = "R2", ["r²"] = "R2", ["f1"] = "F1", ["map"] = "mAP", ["dice"] = "Dice", ["miou"] = "mIoU", ["log loss"] = "loss", ["logloss"] = "loss",
        ["top-1"] = "top-1", ["top1"] = "top-1", ["recall@20"] = "recall@20", ["em"] = "EM", ["exact match"] = "EM",
    };

    private static readonly HashSet<string> Filler = new(StringComparer.OrdinalIgnoreCase)
    {
        "show", "me", "find", "list", "all", "the", "a", "an", "my", "with", "and", "of", "on", "in", "for", "that", "which", "where",
        "runs", "run", "experiments", "experiment", "datasets", "dataset", "data", "models", "model", "results", "result", "have", "had",
        "has", "is", "are", "was", "were", "from", "since", "during", "please", "any", "some", "whose", "engine", "backend", "using", "by",
    };

    public static HistoryQuestionResult Parse(string? question, DateTime nowUtc)
    {
        var text = (question ?? "").Trim();
        if (text.Length > MaxLength) text = text[..MaxLength];
        var q = new HistoryQuery();
        var understood = new List<string>();

        // Metric comparisons: "accuracy above 0.87", "AUC > 0.9", "rmse below 5", "accuracy of at least 87%".
        text = MetricComparison().Replace(text, m =>
        {
            var metric = Metrics[m.Groups["metric"].Value.Trim()];
            var op = m.Groups["op"].Value.ToLowerInvariant();
            if (!double.TryParse(m.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) return m.Value;
            if (m.Groups["percent"].Success) value /= 100;
            var above = op is ">" or ">=" or "above" or "over" or "greater than" or "more than" or "higher than" or "at least" or "better than";
            q = above ? q with { MetricName = metric, MetricMin = value } : q with { MetricName = metric, MetricMax = value };
            understood.Add($"{metric} {(above ? ">" : "<")} {value.ToString("0.####", CultureInfo.InvariantCulture)}");
            return " ";
        });

        // Time: this week / today / yesterday / this month / last N days / since a date.
        text = TimeRange().Replace(text, m =>
        {
            var today = nowUtc.Date;
            var phrase = m.Value.Trim().ToLowerInvariant();
            DateTime? from = null, to = null;
            if (phrase.EndsWith("today")) from = today;
            else if (phrase.EndsWith("yesterday")) (from, to) = (today.AddDays(-1), today);
            else if (phrase.EndsWith("this week")) from = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
            else if (phrase.EndsWith("last week")) (from, to) = (today.AddDays(-(((int)today.DayOfWeek + 6) % 7) - 7), today.AddDays(-(((int)today.DayOfWeek + 6) % 7)));
            else if (phrase.EndsWith("this month")) from = new DateTime(today.Year, today.Month, 1, 0, 0, 0, DateTimeKind.Utc);
            else if (m.Groups["days"].Success) from = today.AddDays(-int.Parse(m.Groups["days"].Value, CultureInfo.InvariantCulture) + 1);
            else if (m.Groups["date"].Success && DateTime.TryParseExact(m.Groups["date"].Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var d)) from = d;
            if (from is null) return m.Value;
            q = q with { FromUtc = DateTime.SpecifyKind(from.Value, DateTimeKind.Utc), ToUtc = to is { } t ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : null };
            understood.Add($"created {phrase}");
            return " ";
        });

        text = Tag().Replace(text, m =>
        {
            var tag = m.Groups["tag"].Value.ToLowerInvariant();
            q = q with { Tag = tag };
            understood.Add($"tag #{tag}");
            return " ";
        });

        var ignored = new List<string>();
        var search = new List<string>();
        foreach (var word in Words().Matches(text).Select(w => w.Value))
        {
            var w = word.ToLowerInvariant();
            if (Enum.TryParse<RunStatus>(w, true, out var status) && w is "succeeded" or "failed" or "running" or "cancelled" or "interrupted")
            { q = q with { Status = status }; understood.Add($"status {w}"); }
            else if (w is "successful" or "finished" or "completed") { q = q with { Status = RunStatus.Succeeded }; understood.Add("status succeeded"); }
            else if (w is "broken" or "errored") { q = q with { Status = RunStatus.Failed }; understood.Add("status failed"); }
            else if (w is "offline") { q = q with { Engine = Engines.Offline.OfflineEngine.EngineName }; understood.Add("engine offline"); }
            else if (w is "pinned" or "starred" or "favourite" or "favorite") { q = q with { PinnedOnly = true }; understood.Add("pinned only"); }
            else if (w is "best") { q = q with { Sort = HistorySort.Metric, Descending = true }; understood.Add("best metric first"); }
            else if (w is "latest" or "newest" or "recent") { q = q with { Sort = HistorySort.Created, Descending = true }; understood.Add("newest first"); }
            else if (w is "oldest") { q = q with { Sort = HistorySort.Created, Descending = false }; understood.Add("oldest first"); }
            else if (Filler.Contains(w)) continue;
            else if (w.Length >= 2) search.Add(word);
            else ignored.Add(word);
        }
        // The search box matches one phrase: the first remaining word names the dataset or model; the rest are listed as not used.
        if (search.Count > 0)
        {
            q = q with { Search = search[0] };
            understood.Add($"dataset, model or engine contains \"{search[0]}\"");
            ignored.AddRange(search.Skip(1));
        }
        return new HistoryQuestionResult(q, understood, ignored);
    }

    [GeneratedRegex(@"(?<metric>roc auc|log ?loss|exact match|accuracy|acc|auc|rmse|mae|r2|r²|f1|map|dice|miou|top-?1|recall@20|em)\s*(?:of\s+|is\s+|was\s+)?(?<op>>=|<=|>|<|above|over|greater than|more than|higher than|at least|better than|below|under|less than|lower than|at most|worse than)\s*(?<value>\d+(?:\.\d+)?)(?<percent>\s*%)?", RegexOptions.IgnoreCase)]
    private static partial Regex MetricComparison();

    [GeneratedRegex(@"\b(?:(?:from|since|created)\s+)?(?:today|yesterday|this week|last week|this month|(?:in\s+)?the\s+last\s+(?<days>\d{1,3})\s+days|(?<date>\d{4}-\d{2}-\d{2}))\b", RegexOptions.IgnoreCase)]
    private static partial Regex TimeRange();

    [GeneratedRegex(@"(?:#|\btagged\s+|\btag\s+)(?<tag>[\p{L}\p{Nd}][\p{L}\p{Nd}._-]{0,31})", RegexOptions.IgnoreCase)]
    private static partial Regex Tag();

    [GeneratedRegex(@"[\p{L}\p{Nd}][\p{L}\p{Nd}._-]*")]
    private static partial Regex Words();
}
