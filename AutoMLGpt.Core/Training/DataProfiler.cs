using System.Globalization;
using System.Text.RegularExpressions;
using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.Training;

public enum ColumnKind { Numeric, Categorical, Text, Date }

/// <summary>What the profiler learned about one column.</summary>
public sealed record ColumnProfile(
    string Name, ColumnKind Kind, int Missing, double MissingShare, int Distinct,
    double? Min, double? Max, double? Mean, IReadOnlyList<(string Value, int Count)> TopValues);

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

/// <summary>Profiles a table: column types, missing shares, ranges, label candidates, and the task and metric they suggest.</summary>
public static partial class DataProfiler
{
    public static DatasetProfile Profile(CsvTable table, string? labelColumn = null)
    {
        var columns = table.Columns.Select((name, i) => ProfileColumn(name, table.Rows.Select(r => r[i]).ToList())).ToList();
        var candidates = LabelCandidates(columns, table.Rows.Count);
        var label = labelColumn is not null && columns.Any(c => string.Equals(c.Name, labelColumn, StringComparison.OrdinalIgnoreCase))
            ? columns.First(c => string.Equals(c.Name, labelColumn, StringComparison.OrdinalIgnoreCase)).Name
            : candidates.FirstOrDefault() ?? columns[^1].Name;
        var labelProfile = columns.First(c => c.Name == label);
        var index = table.ColumnIndex(label);
        var counts = table.Rows.Select(r => r[index]).Where(v => v is not null).GroupBy(v => v!)
            .Select(g => (Class: g.Key, Count: g.Count())).OrderByDescending(g => g.Count).ThenBy(g => g.Class, StringComparer.Ordinal).ToList();
        var isRegression = labelProfile.Kind == ColumnKind.Numeric && labelProfile.Distinct > Math.Min(30, Math.Max(10, table.Rows.Count / 20));
        var task = isRegression ? MlTask.Regression : counts.Count <= 2 ? MlTask.BinaryClassification : MlTask.MulticlassClassification;
        var metric = task switch
        {
            MlTask.Regression => "RMSE",
            MlTask.BinaryClassification when counts.Count == 2 && counts[1].Count < 0.35 * (counts[0].Count + counts[1].Count) => "AUC",
            _ => "accuracy",
        };
        return new DatasetProfile(table.Rows.Count, columns, label, candidates, task, metric, isRegression ? [] : counts);
    }

    private static ColumnProfile ProfileColumn(string name, List<string?> values)
    {
        var present = values.Where(v => v is not null).Select(v => v!).ToList();
        var missing = values.Count - present.Count;
        var distinct = present.Distinct(StringComparer.Ordinal).Count();
        var numbers = present.Select(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : (double?)null).ToList();
        var numericShare = present.Count == 0 ? 0 : numbers.Count(n => n is not null) / (double)present.Count;
        ColumnKind kind;
        if (present.Count > 0 && numericShare >= 0.98) kind = ColumnKind.Numeric;
        else if (present.Count > 0 && present.Take(200).All(v => DateLike().IsMatch(v) && DateTime.TryParse(v, CultureInfo.InvariantCulture, DateTimeStyles.None, out _))) kind = ColumnKind.Date;
        else if (present.Count > 0 && present.Average(v => v.Length) > 30 && distinct > present.Count * 0.5) kind = ColumnKind.Text;
        else kind = ColumnKind.Categorical;
        var nums = kind == ColumnKind.Numeric ? numbers.OfType<double>().ToList() : [];
        var top = kind == ColumnKind.Numeric ? [] : present.GroupBy(v => v).OrderByDescending(g => g.Count()).Take(5).Select(g => (g.Key, g.Count())).ToList();
        return new ColumnProfile(name, kind, missing, values.Count == 0 ? 0 : missing / (double)values.Count, distinct,
            nums.Count > 0 ? nums.Min() : null, nums.Count > 0 ? nums.Max() : null, nums.Count > 0 ? nums.Average() : null, top);
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

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?$|^\d{1,2}/\d{1,2}/\d{4}$")]
    private static partial Regex DateLike();
}
