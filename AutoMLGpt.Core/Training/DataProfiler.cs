using System.Globalization;
using System.Text.RegularExpressions;
using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.Training;

public enum ColumnKind { Numeric, Categorical, Text, Date }

/// <summary>What the profiler learned about one column.</summary>
public sealed record ColumnProfile(
    string Name, ColumnKind Kind, int Missing, double MissingShare, int Distinct,
    double? Min, double? Max, double? Mean, IReadOnlyList<(string Value, int Count)> TopValues, bool DistinctIsEstimate = false);

/// <summary>The profile of a table and the data card it suggests.</summary>
public sealed record DatasetProfile(
    int Rows, IReadOnlyList<ColumnProfile> Columns, string LabelColumn, IReadOnlyList<string> LabelCandidates,
    MlTask SuggestedTask, string SuggestedMetric, IReadOnlyList<(string Class, int Count)> ClassCounts)
{
    public ColumnProfile Column(string name) => Columns.FirstOrDefault(c => c.Name == name) ?? Columns.First(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
    public IEnumerable<ColumnProfile> Features => Columns.Where(c => c.Name != LabelColumn);
    public double MissingShare => Columns.Sum(c => c.Missing) / Math.Max(1.0, (double)Rows * Columns.Count);

    /// <summary>A data card filled from the profile, for the user to confirm or edit.</summary>
    public DataCard ToDataCard(string name)
    {
        var label = Column(LabelColumn);
        var numeric = Features.Where(c => c.Kind == ColumnKind.Numeric).Select(c => c.Name).ToList();
        var categorical = Features.Where(c => c.Kind is ColumnKind.Categorical or ColumnKind.Date).Select(c => c.Name).ToList();
        var text = Features.Where(c => c.Kind == ColumnKind.Text).Select(c => c.Name).ToList();
        var withMissing = Features.Where(c => c.Missing > 0).OrderByDescending(c => c.Missing).Take(5).Select(c => $"{c.Name} ({c.MissingShare:P1})").ToList();
        var description = $"Uploaded table with {Rows:N0} rows and {Columns.Count - 1} features ({numeric.Count} numeric, {categorical.Count} categorical{(text.Count > 0 ? $", {text.Count} free text, not used by tree models" : "")}). " +
            (SuggestedTask == MlTask.Regression
                ? $"Target {LabelColumn} ranges {label.Min?.ToString("G4", CultureInfo.InvariantCulture)} to {label.Max?.ToString("G4", CultureInfo.InvariantCulture)} (mean {label.Mean?.ToString("G4", CultureInfo.InvariantCulture)}). "
                : $"Classes: {string.Join(", ", ClassCounts.Take(10).Select(c => $"{c.Class} {c.Count:N0}"))}. ") +
            (withMissing.Count > 0 ? $"Missing values in {string.Join(", ", withMissing)}." : "No missing values.");
        return new DataCard
        {
            Name = name,
            Modality = DataModality.Tabular,
            Task = SuggestedTask,
            LabelSpace = SuggestedTask == MlTask.Regression
                ? $"real value ({LabelColumn})"
                : string.Join(", ", ClassCounts.Select(c => c.Class).Take(200)),
            Metrics = SuggestedMetric,
            Samples = Rows,
            Features = Columns.Count - 1,
            LabelColumn = LabelColumn,
            NumericColumns = string.Join(", ", numeric),
            CategoricalColumns = string.Join(", ", categorical),
            Description = description.Length > CardValidator.DescriptionMax ? description[..CardValidator.DescriptionMax] : description,
        };
    }
}

/// <summary>
/// Profiles a table: column types, missing shares, ranges, label candidates, and the task and metric they suggest. A file
/// is profiled as it streams, one pass and bounded memory per column (<see cref="ColumnSummary"/>), never whole.
/// </summary>
public static partial class DataProfiler
{
    // Exact value counts per column within a budget for the whole table, so a wide file stays small; the label, when
    // known, always gets the most (its class counts are the card's label space).
    private const int TrackedBudget = 400_000, MinTracked = 64, MaxTracked = 5_000;

    public static DatasetProfile Profile(CsvTable table, string? labelColumn = null)
    {
        var summaries = NewSummaries(table.Columns, labelColumn);
        foreach (var row in table.Rows)
            for (var i = 0; i < summaries.Length; i++)
                if (row[i] is { } value) summaries[i].Add(value);
                else summaries[i].AddMissing();
        return FromSummaries(table.Columns, summaries, table.Rows.Count, labelColumn);
    }

    /// <summary>A CSV file profiled as it is read; the notice is the reader's (an encoding it converted).</summary>
    /// <param name="progress">The share of the file read so far, now and then.</param>
    /// <exception cref="CsvFormatException">The file is not a CSV the app can read; the message says why.</exception>
    public static (DatasetProfile Profile, string? Notice) ProfileFile(string path, string? labelColumn, CsvReadOptions options, CancellationToken cancellationToken, Action<double>? progress = null)
    {
        using var stream = CsvRows.OpenFile(path, options);
        using var csv = CsvRows.Open(stream, options);
        var summaries = NewSummaries(csv.Columns, labelColumn);
        var rows = csv.ReadAll((in CsvRow row) =>
        {
            for (var i = 0; i < summaries.Length; i++)
                if (row.TryGetValue(i, out var value)) summaries[i].Add(value);
                else summaries[i].AddMissing();
        }, cancellationToken, progress);
        return (FromSummaries(csv.Columns, summaries, rows, labelColumn), csv.Notice);
    }

    private static ColumnSummary[] NewSummaries(IReadOnlyList<string> columns, string? labelColumn)
    {
        var tracked = Math.Clamp(TrackedBudget / Math.Max(1, columns.Count), MinTracked, MaxTracked);
        return columns.Select(c => new ColumnSummary(string.Equals(c, labelColumn, StringComparison.OrdinalIgnoreCase) ? MaxTracked : tracked)).ToArray();
    }

    private static DatasetProfile FromSummaries(IReadOnlyList<string> names, ColumnSummary[] summaries, int rowCount, string? labelColumn)
    {
        var columns = names.Select((name, i) => summaries[i].ToProfile(name)).ToList();
        var candidates = LabelCandidates(columns, rowCount);
        var label = labelColumn is not null && columns.Any(c => string.Equals(c.Name, labelColumn, StringComparison.OrdinalIgnoreCase))
            ? columns.First(c => string.Equals(c.Name, labelColumn, StringComparison.OrdinalIgnoreCase)).Name
            : candidates.FirstOrDefault() ?? columns[^1].Name;
        var labelProfile = columns.First(c => c.Name == label);
        var counts = summaries[columns.IndexOf(labelProfile)].Counts();
        var isRegression = labelProfile.Kind == ColumnKind.Numeric && labelProfile.Distinct > Math.Min(30, Math.Max(10, rowCount / 20));
        var task = isRegression ? MlTask.Regression : counts.Count <= 2 ? MlTask.BinaryClassification : MlTask.MulticlassClassification;
        var metric = task switch
        {
            MlTask.Regression => "RMSE",
            MlTask.BinaryClassification when counts.Count == 2 && counts[1].Count < 0.35 * (counts[0].Count + counts[1].Count) => "AUC",
            _ => "accuracy",
        };
        return new DatasetProfile(rowCount, columns, label, candidates, task, metric, isRegression ? [] : counts);
    }

    // Strong names (label, target, class, …) decide. Otherwise the last column (the usual convention) comes first when it
    // is a low-cardinality category, ahead of a column merely named like a common target (price, quality, …): a numeric
    // "price" in the middle of a table is more often a feature than the label.
    private static List<string> LabelCandidates(List<ColumnProfile> columns, int rows)
    {
        var strong = columns.Where(c => StrongLabelName().IsMatch(c.Name) && c.Missing < rows);
        var weak = columns.Where(c => LabelName().IsMatch(c.Name) && c.Missing < rows).ToList();
        var last = columns[^1];
        bool LowCardinality(ColumnProfile c) => c.Kind == ColumnKind.Categorical && c.Distinct is >= 2 and <= 20 && c.MissingShare < 0.5;
        var lowCardinality = columns.Where(LowCardinality);
        IEnumerable<ColumnProfile> ordered = LowCardinality(last) || weak.Count == 0
            ? strong.Append(last).Concat(weak)
            : strong.Concat(weak.Where(LowCardinality)).Concat(weak).Append(last);
        return ordered.Concat(lowCardinality).Where(c => c.Distinct >= 2).Select(c => c.Name).Distinct().Take(5).ToList();
    }

    [GeneratedRegex(@"^(label|target|class|y|outcome|response)$", RegexOptions.IgnoreCase)]
    private static partial Regex StrongLabelName();

    [GeneratedRegex(@"^(label|target|class|y|outcome|response|income|churn|survived|default|diagnosis|quality|price)$", RegexOptions.IgnoreCase)]
    private static partial Regex LabelName();
}
