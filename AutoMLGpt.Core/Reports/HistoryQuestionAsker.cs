using System.Globalization;
using System.Text.Json;
using AutoMLGpt.Core.Engines.Llm;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Pipeline;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace AutoMLGpt.Core.Reports;

/// <summary>
/// "Ask the history": with a language model configured, the question goes to it with a JSON schema of the History
/// filter and its answer is checked field by field (known status, engine, metric and tag; dates and numbers in range;
/// anything else dropped and listed as not used). Offline, or when the model fails or answers off-schema, the grammar
/// (<see cref="HistoryQuestion"/>) reads it. Either way the result is only the filter's values, shown and editable;
/// nothing from the question or the answer is executed.
/// </summary>
public sealed class HistoryQuestionAsker(TimeProvider clock, ILogger<HistoryQuestionAsker> logger, IChatClient? client = null, LlmOptions? llm = null)
{
    public bool UsesLanguageModel => client is not null;

    /// <param name="engines">The engine names in the history (the model must pick one of them).</param>
    /// <param name="tags">The tags in use, as hints.</param>
    public async Task<HistoryQuestionResult> AskAsync(string? question, IReadOnlyCollection<string> engines, IReadOnlyCollection<string> tags, CancellationToken cancellationToken = default)
    {
        var text = (question ?? "").Trim();
        if (text.Length > HistoryQuestion.MaxLength) text = text[..HistoryQuestion.MaxLength];
        var now = clock.GetUtcNow().UtcDateTime;
        if (client is null || text.Length == 0) return HistoryQuestion.Parse(text, now);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(Math.Clamp(llm?.TimeoutSeconds ?? 30, 5, 120)));
            var response = await client.GetResponseAsync(
            [
                new ChatMessage(ChatRole.System, Instructions(now, engines, tags)),
                new ChatMessage(ChatRole.User, text),
            ], new ChatOptions
            {
                ResponseFormat = ChatResponseFormat.ForJsonSchema(Schema, "history_filter", "The History page's filter"),
                Temperature = 0,
                MaxOutputTokens = 400,
            }, timeout.Token);
            return FromAnswer(response.Text, now, engines) with { Source = $"language model ({llm?.Model ?? "configured"})" };
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The grammar still answers; the user is told the model could not.
            logger.LogWarning("Ask the history: the language model could not read the question ({Error}); the offline grammar did.", ex.GetType().Name);
            var fallback = HistoryQuestion.Parse(text, now);
            return fallback with { Source = $"{HistoryQuestion.GrammarSource} (the language model did not answer usably: {Reason(ex)})" };
        }
    }

    private static string Reason(Exception ex) => ex switch
    {
        JsonException or FormatException => "its answer was not the filter's JSON",
        OperationCanceledException => "it timed out",
        _ => "it could not be reached",
    };

    private static string Instructions(DateTime now, IReadOnlyCollection<string> engines, IReadOnlyCollection<string> tags) =>
        "You turn a question about a history of machine-learning experiments into the History page's filter, as JSON that " +
        "follows the schema. Use null for what the question does not ask. " +
        $"Today is {now:yyyy-MM-dd} ({now.DayOfWeek}); weeks start on Monday; dates are yyyy-MM-dd and to_date is inclusive. " +
        "metric_min means the metric must be above it, metric_max below it; a percentage is a fraction (87% is 0.87). " +
        $"metric is one of: {string.Join(", ", HistoryQuestion.MetricNames)}. " +
        $"engine is one of: {(engines.Count == 0 ? "(none yet)" : string.Join(", ", engines.Take(20)))}. " +
        $"Tags in use: {(tags.Count == 0 ? "(none)" : string.Join(", ", tags.Take(40)))}. " +
        "search is one word or name to find in the dataset, model or engine name (e.g. a dataset like \"adult\" or \"bank\").";

    internal static readonly JsonElement Schema = JsonDocument.Parse("""
        {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "search": { "type": ["string", "null"], "maxLength": 100 },
            "status": { "type": ["string", "null"], "enum": ["succeeded", "failed", "interrupted", "cancelled", "running", null] },
            "engine": { "type": ["string", "null"] },
            "tag": { "type": ["string", "null"] },
            "metric": { "type": ["string", "null"] },
            "metric_min": { "type": ["number", "null"] },
            "metric_max": { "type": ["number", "null"] },
            "from_date": { "type": ["string", "null"], "description": "yyyy-MM-dd" },
            "to_date": { "type": ["string", "null"], "description": "yyyy-MM-dd, inclusive" },
            "pinned_only": { "type": "boolean" },
            "sort": { "type": "string", "enum": ["created", "dataset", "model", "metric"] },
            "descending": { "type": "boolean" }
          },
          "required": ["search", "status", "engine", "tag", "metric", "metric_min", "metric_max", "from_date", "to_date", "pinned_only", "sort", "descending"]
        }
        """).RootElement.Clone();

    /// <summary>Checks the model's answer against the filter's rules; what breaks one is dropped and listed as not used.</summary>
    /// <summary>The JSON inside a Markdown code fence (```json … ```), which some models add despite the schema.</summary>
    private static string WithoutCodeFence(string answer)
    {
        var text = answer.Trim();
        if (!text.StartsWith("```", StringComparison.Ordinal)) return text;
        var inner = text.Trim('`').Trim();
        return inner.StartsWith("json", StringComparison.OrdinalIgnoreCase) ? inner[4..] : inner;
    }

    internal static HistoryQuestionResult FromAnswer(string answer, DateTime now, IReadOnlyCollection<string> engines)
    {
        using var doc = JsonDocument.Parse(WithoutCodeFence(answer));
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new JsonException("The answer is not a JSON object.");
        var q = new HistoryQuery();
        var understood = new List<string>();
        var ignored = new List<string>();

        string? Text(string name, int max)
        {
            if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind != JsonValueKind.String) { ignored.Add($"{name} (not text)"); return null; }
            var s = new string(v.GetString()!.Where(c => !char.IsControl(c)).ToArray()).Trim();
            if (s.Length == 0) return null;
            if (s.Length > max) { ignored.Add($"{name} (longer than {max} characters)"); return null; }
            return s;
        }
        double? Number(string name)
        {
            if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && double.IsFinite(d) && Math.Abs(d) < 1e9) return d;
            ignored.Add($"{name} (not a number)");
            return null;
        }
        DateTime? Date(string name)
        {
            if (Text(name, 10) is not { } s) return null;
            if (DateTime.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var d)
                && d.Year >= 2000 && d <= now.AddYears(1)) return DateTime.SpecifyKind(d, DateTimeKind.Utc);
            ignored.Add($"{name} \"{s}\" (not a date)");
            return null;
        }
        bool Flag(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

        if (Text("search", 100) is { } search) { q = q with { Search = search }; understood.Add($"dataset, model or engine contains \"{search}\""); }
        if (Text("status", 20) is { } status)
        {
            if (Enum.TryParse<RunStatus>(status, true, out var st) && st != RunStatus.Queued && Enum.IsDefined(st)) { q = q with { Status = st }; understood.Add($"status {st.ToString().ToLowerInvariant()}"); }
            else ignored.Add($"status \"{status}\"");
        }
        if (Text("engine", 200) is { } engine)
        {
            var known = engines.FirstOrDefault(e => string.Equals(e, engine, StringComparison.OrdinalIgnoreCase));
            if (known is not null) { q = q with { Engine = known }; understood.Add($"engine {known}"); }
            else ignored.Add($"engine \"{engine}\" (not in the history)");
        }
        if (Text("tag", 40) is { } tag)
        {
            try { var t = ExperimentTags.Normalise([tag]).Single(); q = q with { Tag = t }; understood.Add($"tag #{t}"); }
            catch (CardValidationException) { ignored.Add($"tag \"{tag}\""); }
        }
        var metric = Text("metric", 40);
        var min = Number("metric_min");
        var max = Number("metric_max");
        if (metric is not null || min is not null || max is not null)
        {
            var name = metric is null ? null : HistoryQuestion.MetricNames.FirstOrDefault(m => string.Equals(m, metric, StringComparison.OrdinalIgnoreCase));
            if (metric is not null && name is null) ignored.Add($"metric \"{metric}\" (unknown)");
            else
            {
                q = q with { MetricName = name, MetricMin = min, MetricMax = max };
                understood.Add($"{name ?? "metric"}{(min is { } lo ? $" > {lo.ToString("0.####", CultureInfo.InvariantCulture)}" : "")}{(max is { } hi ? $" < {hi.ToString("0.####", CultureInfo.InvariantCulture)}" : "")}");
            }
        }
        var from = Date("from_date");
        var to = Date("to_date");
        if (from is not null || to is not null)
        {
            q = q with { FromUtc = from, ToUtc = to?.AddDays(1) };
            understood.Add($"created{(from is { } f ? $" from {f:yyyy-MM-dd}" : "")}{(to is { } t ? $" to {t:yyyy-MM-dd}" : "")}");
        }
        if (Flag("pinned_only")) { q = q with { PinnedOnly = true }; understood.Add("pinned only"); }
        var descending = !root.TryGetProperty("descending", out var desc) || desc.ValueKind != JsonValueKind.False;
        if (Text("sort", 20) is { } sort && Enum.TryParse<HistorySort>(sort, true, out var by) && Enum.IsDefined(by) && (by != HistorySort.Created || !descending))
        {
            q = q with { Sort = by, Descending = descending };
            understood.Add($"sorted by {by.ToString().ToLowerInvariant()}{(by == HistorySort.Metric ? (descending ? ", best first" : ", worst first") : descending ? ", descending" : ", ascending")}");
        }
        return new HistoryQuestionResult(q, understood, ignored);
    }
}
