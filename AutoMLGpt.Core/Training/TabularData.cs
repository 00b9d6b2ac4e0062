using System.Globalization;
using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.Training;

/// <summary>A split of rows (indices into the table).</summary>
public sealed record DataSplit(int[] Train, int[] Valid, int[] Test, string Description);

/// <summary>
/// The table as LightGBM sees it: row-major float features (categories as integer codes, missing as NaN, never 0),
/// the label as class index or value, and a seeded split.
/// </summary>
public sealed class TabularData
{
    public required string[] FeatureNames { get; init; }
    public required int[] CategoricalFeatures { get; init; }
    public required float[] Features { get; init; }
    public required float[] Labels { get; init; }
    public required MlTask Task { get; init; }
    public required string[] Classes { get; init; }
    public required DataSplit Split { get; init; }
    public int Rows => Labels.Length;
    public int Columns => FeatureNames.Length;
    /// <summary>Per categorical feature, its categories in code order (for the model card and predictions).</summary>
    public required IReadOnlyDictionary<string, string[]> Categories { get; init; }

    public (float[] X, float[] Y) Take(int[] rows)
    {
        var x = new float[rows.Length * Columns];
        var y = new float[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            Array.Copy(Features, rows[i] * Columns, x, i * Columns, Columns);
            y[i] = Labels[rows[i]];
        }
        return (x, y);
    }

    /// <summary>
    /// Builds the matrix. Rows whose label is missing are dropped (they cannot be scored). Checks happen before anything
    /// trains: too few rows, one class only, a missing label column.
    /// </summary>
    public static TabularData Build(CsvTable table, DataCard card, int seed = 42, (int Start, int End)? trainRange = null, (int Start, int End)? testRange = null)
    {
        var labelName = card.LabelColumn ?? table.Columns[^1];
        var labelIndex = table.ColumnIndex(labelName);
        if (labelIndex < 0) throw new TrainingDataException($"The label column \"{labelName}\" is not in the file; its columns are {string.Join(", ", table.Columns.Take(12))}.");
        var numeric = new HashSet<string>(card.NumericColumnList, StringComparer.Ordinal);
        var categorical = new HashSet<string>(card.CategoricalColumnList, StringComparer.Ordinal);
        var featureIndices = Enumerable.Range(0, table.Columns.Count).Where(i => i != labelIndex)
            .Where(i => numeric.Count + categorical.Count == 0 || numeric.Contains(table.Columns[i]) || categorical.Contains(table.Columns[i])).ToArray();
        if (featureIndices.Length == 0) throw new TrainingDataException("No feature columns: list the numeric and categorical columns in the data card.");

        var keep = Enumerable.Range(0, table.Rows.Count).Where(r => table.Rows[r][labelIndex] is not null).ToArray();
        if (keep.Length == 0) throw new TrainingDataException($"Every value of the label \"{labelName}\" is missing.");
        if (keep.Length < 10) throw new TrainingDataException($"Only {keep.Length} rows have a label; at least 10 are needed to train and evaluate.");

        var isRegression = card.Task == MlTask.Regression;
        string[] classes = [];
        var labels = new float[keep.Length];
        if (isRegression)
        {
            for (var i = 0; i < keep.Length; i++)
            {
                var v = table.Rows[keep[i]][labelIndex]!;
                if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                    throw new TrainingDataException($"Regression needs a numeric label; row {keep[i] + 2} has \"{Short(v)}\".");
                labels[i] = (float)d;
            }
        }
        else
        {
            var observed = keep.Select(r => table.Rows[r][labelIndex]!).Distinct(StringComparer.Ordinal).ToList();
            var fromCard = card.Classes.Count >= 2 && card.ClassCount == card.Classes.Count ? card.Classes.ToList() : [];
            var unknown = fromCard.Count > 0 ? observed.Except(fromCard, StringComparer.Ordinal).ToList() : [];
            if (unknown.Count > 0) throw new TrainingDataException($"The label has values outside the card's label space: {string.Join(", ", unknown.Take(5).Select(u => $"\"{Short(u)}\""))}. Fix the label space or the data.");
            classes = (fromCard.Count > 0 ? fromCard : observed.Order(StringComparer.Ordinal).ToList()).ToArray();
            if (observed.Count < 2) throw new TrainingDataException($"The label \"{labelName}\" has a single class (\"{Short(observed[0])}\"); a classifier needs at least two.");
            if (card.Task == MlTask.BinaryClassification && classes.Length != 2) throw new TrainingDataException($"Binary classification needs exactly two classes; the label has {classes.Length}. Choose multi-class.");
            var code = classes.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => (float)x.i, StringComparer.Ordinal);
            for (var i = 0; i < keep.Length; i++) labels[i] = code[table.Rows[keep[i]][labelIndex]!];
        }

        var names = featureIndices.Select(i => table.Columns[i]).ToArray();
        var catPositions = new List<int>();
        var categories = new Dictionary<string, string[]>();
        var features = new float[keep.Length * names.Length];
        for (var f = 0; f < featureIndices.Length; f++)
        {
            var column = featureIndices[f];
            var isCategorical = categorical.Contains(names[f]) || (!numeric.Contains(names[f]) && !IsNumericColumn(table, column, keep));
            if (isCategorical)
            {
                catPositions.Add(f);
                var levels = keep.Select(r => table.Rows[r][column]).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
                categories[names[f]] = levels;
                var code = levels.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => (float)x.i, StringComparer.Ordinal);
                for (var r = 0; r < keep.Length; r++)
                    features[r * names.Length + f] = table.Rows[keep[r]][column] is { } v ? code[v] : float.NaN;
            }
            else
            {
                for (var r = 0; r < keep.Length; r++)
                    features[r * names.Length + f] = table.Rows[keep[r]][column] is { } v && float.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ? x : float.NaN;
            }
        }

        var split = trainRange is { } tr && testRange is { } te
            ? StandardSplit(keep, tr, te, labels, isRegression, seed)
            : SeededSplit(labels, isRegression, seed);
        return new TabularData
        {
            FeatureNames = names, CategoricalFeatures = catPositions.ToArray(), Features = features, Labels = labels,
            Task = card.Task, Classes = classes, Split = split, Categories = categories,
        };
    }

    private static bool IsNumericColumn(CsvTable table, int column, int[] rows) =>
        rows.Select(r => table.Rows[r][column]).OfType<string>().Take(2000)
            .All(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _));

    private static string Short(string s) => s.Length <= 40 ? s : s[..40] + "…";

    /// <summary>70/15/15, stratified by class for classification, shuffled with a fixed seed.</summary>
    public static DataSplit SeededSplit(float[] labels, bool isRegression, int seed)
    {
        var rng = new Random(seed);
        var groups = isRegression
            ? [Enumerable.Range(0, labels.Length).ToArray()]
            : Enumerable.Range(0, labels.Length).GroupBy(i => labels[i]).OrderBy(g => g.Key).Select(g => g.ToArray()).ToList();
        List<int> train = [], valid = [], test = [];
        foreach (var group in groups)
        {
            var shuffled = group.OrderBy(_ => rng.Next()).ToArray();
            var nTest = (int)Math.Round(shuffled.Length * 0.15);
            var nValid = (int)Math.Round(shuffled.Length * 0.15);
            test.AddRange(shuffled[..nTest]);
            valid.AddRange(shuffled[nTest..(nTest + nValid)]);
            train.AddRange(shuffled[(nTest + nValid)..]);
        }
        return new DataSplit([.. train.Order()], [.. valid.Order()], [.. test.Order()], $"seeded stratified 70/15/15 split (seed {seed})");
    }

    // The dataset's own train/test split; validation is a seeded 15% of its training part.
    private static DataSplit StandardSplit(int[] keep, (int Start, int End) train, (int Start, int End) test, float[] labels, bool isRegression, int seed)
    {
        var trainRows = Enumerable.Range(0, keep.Length).Where(i => keep[i] >= train.Start && keep[i] < train.End).ToArray();
        var testRows = Enumerable.Range(0, keep.Length).Where(i => keep[i] >= test.Start && keep[i] < test.End).ToArray();
        var inner = SeededSplit(trainRows.Select(i => labels[i]).ToArray(), isRegression, seed);
        var validRows = inner.Test.Concat(inner.Valid).Select(i => trainRows[i]).Order().ToArray();
        var fitRows = inner.Train.Select(i => trainRows[i]).Order().ToArray();
        // Only ~30% of the inner split went to validation above; keep it at 15% of the training part.
        var half = validRows.Length / 2;
        return new DataSplit([.. fitRows, .. validRows[half..]], validRows[..half], testRows,
            $"the dataset's standard split ({testRows.Length:N0} test rows), validation a seeded 15% of its training rows");
    }
}

/// <summary>Data that cannot be trained on, with what to fix.</summary>
public sealed class TrainingDataException(string message) : Exception(message);
