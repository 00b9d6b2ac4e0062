using System.Globalization;
using System.Text;
using System.Text.Json;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Pipeline;

namespace AutoMLGpt.Core.Reports;

/// <summary>
/// The History table as the user filtered it, as CSV or JSON: tags, predicted and real metrics, and stage C's
/// hyperparameters (one column each in CSV). The filter travels in the URL, so the download is what the page shows.
/// </summary>
public sealed class HistoryExport(ExperimentStore store)
{
    public const int MaxRows = 5000;

    public async Task<string> CsvAsync(HistoryQuery query, CancellationToken cancellationToken = default)
    {
        var (items, hyperparameters) = await RowsAsync(query, cancellationToken);
        var names = hyperparameters.Values.SelectMany(r => r.Select(h => h.Name)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var sb = new StringBuilder();
        string[] header = ["id", "name", "dataset", "model", "engine", "status", "created_utc", "completed_utc", "pinned", "tags", "metric", "predicted", "real", "higher_is_better", .. names.Select(n => "hp_" + n)];
        sb.AppendJoin(',', header.Select(Cell)).Append("\r\n");
        foreach (var i in items)
        {
            var hp = hyperparameters.GetValueOrDefault(i.Id) ?? [];
            string[] cells =
            [
                i.Id.ToString(), i.Name, i.DatasetName, i.ModelName, i.Engine, i.Status.ToString().ToLowerInvariant(),
                Date(i.CreatedUtc), i.CompletedUtc is { } c ? Date(c) : "", i.Pinned ? "true" : "false", string.Join(";", i.Tags ?? []),
                i.MetricName ?? "", Number(i.Predicted), Number(i.Real), i.HigherIsBetter ? "true" : "false",
                .. names.Select(n => hp.LastOrDefault(h => h.Name == n)?.Value ?? ""),
            ];
            sb.AppendJoin(',', cells.Select(Cell)).Append("\r\n");
        }
        return sb.ToString();
    }

    public async Task<string> JsonAsync(HistoryQuery query, CancellationToken cancellationToken = default)
    {
        var (items, hyperparameters) = await RowsAsync(query, cancellationToken);
        var rows = items.Select(i => new
        {
            i.Id, i.Name, Dataset = i.DatasetName, Model = i.ModelName, i.Engine, Status = i.Status.ToString().ToLowerInvariant(),
            i.CreatedUtc, i.CompletedUtc, i.Pinned, Tags = i.Tags ?? [],
            Metric = new { Name = i.MetricName, i.Predicted, i.Real, i.HigherIsBetter },
            Hyperparameters = (hyperparameters.GetValueOrDefault(i.Id) ?? []).GroupBy(h => h.Name).ToDictionary(g => g.Key, g => g.Last().Value),
        });
        return JsonSerializer.Serialize(new { Exported = DateTime.UtcNow, Filter = query, Experiments = rows },
            new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } });
    }

    private async Task<(IReadOnlyList<ExperimentSummary>, IReadOnlyDictionary<Guid, IReadOnlyList<HyperparameterRow>>)> RowsAsync(HistoryQuery query, CancellationToken cancellationToken)
    {
        var items = await store.QueryAsync(query with { Take = MaxRows, Skip = 0 }, cancellationToken); // the whole filtered table, not the page on screen
        return (items, await store.HyperparametersAsync(items.Select(i => i.Id).ToList(), cancellationToken));
    }

    private static string Date(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Number(double? v) => v is { } x ? x.ToString("R", CultureInfo.InvariantCulture) : "";

    // RFC 4180 quoting; text a spreadsheet would take for a formula (=, +, -, @ …) starts with a quote mark instead.
    private static string Cell(string value)
    {
        if (value.Length > 0 && "=+-@\t\r".Contains(value[0]) && !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            value = "'" + value;
        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }

    /// <summary>The History filter as URL parameters, and back (unknown or malformed values are ignored).</summary>
    public static string ToQueryString(HistoryQuery q)
    {
        var parts = new List<string>();
        void Add(string key, string? value) { if (!string.IsNullOrEmpty(value)) parts.Add($"{key}={Uri.EscapeDataString(value)}"); }
        Add("search", q.Search);
        Add("status", q.Status?.ToString());
        Add("engine", q.Engine);
        Add("tag", q.Tag);
        Add("from", q.FromUtc?.ToString("o", CultureInfo.InvariantCulture));
        Add("to", q.ToUtc?.ToString("o", CultureInfo.InvariantCulture));
        Add("sort", q.Sort == HistorySort.Created ? null : q.Sort.ToString());
        Add("asc", q.Descending ? null : "true");
        Add("pinned", q.PinnedOnly ? "true" : null);
        Add("metric", q.MetricName);
        Add("min", q.MetricMin?.ToString("R", CultureInfo.InvariantCulture));
        Add("max", q.MetricMax?.ToString("R", CultureInfo.InvariantCulture));
        return string.Join('&', parts);
    }

    public static HistoryQuery FromQuery(Func<string, string?> get)
    {
        DateTime? Time(string key) => DateTime.TryParse(get(key), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t) ? t : null;
        return new HistoryQuery(
            Search: get("search"),
            Status: Enum.TryParse<RunStatus>(get("status"), true, out var s) ? s : null,
            Engine: get("engine"),
            FromUtc: Time("from"), ToUtc: Time("to"),
            Sort: Enum.TryParse<HistorySort>(get("sort"), true, out var sort) ? sort : HistorySort.Created,
            Descending: get("asc") != "true",
            PinnedOnly: get("pinned") == "true",
            Tag: get("tag"),
            MetricName: get("metric"),
            MetricMin: double.TryParse(get("min"), NumberStyles.Float, CultureInfo.InvariantCulture, out var min) ? min : null,
            MetricMax: double.TryParse(get("max"), NumberStyles.Float, CultureInfo.InvariantCulture, out var max) ? max : null);
    }
}
